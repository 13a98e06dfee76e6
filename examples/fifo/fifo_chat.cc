#include "examples/fifo/fifo_chat.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/core/timeout_error.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox::examples {
namespace {

absl::Status Print(std::FILE* out, absl::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() ||
      std::fflush(out) != 0) {
    return ErrnoError(errno, "fwrite", "output");
  }
  return absl::OkStatus();
}

// What the seed's printf("%s", buf) shows of the bytes: up to a NUL.
absl::string_view AsCString(absl::string_view bytes) {
  return bytes.substr(0, bytes.find('\0'));
}

}  // namespace

absl::Status RunChatServer(const ChatServerOptions& options, std::FILE* out) {
  // Removed on return if this server created it (not if it was there).
  FifoOptions fifo_options;
  fifo_options.open_mode = OpenMode::kOpenOrCreate;
  fifo_options.permissions = options.permissions;
  absl::StatusOr<Fifo> fifo = Fifo::Open(options.fifo_path, fifo_options);
  if (!fifo.ok()) return fifo.status();
  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(fifo->path(), Deadline::After(options.open_timeout));
  if (!reader.ok()) {
    return DescribeTimeout(
        reader.status(),
        absl::StrCat("waiting for a writer on ", QuoteForMessage(fifo->path())),
        options.open_timeout);
  }

  char buf[kChatBufferSize];
  for (;;) {
    // The seed reads sizeof(buf) - 1 to leave room for its terminating NUL.
    absl::StatusOr<size_t> n =
        reader->Read(absl::MakeSpan(buf, kChatBufferSize - 1));
    if (IsEndOfStream(n.status())) return Print(out, kChatClientEnd);
    if (!n.ok()) return n.status();
    if (absl::Status s = Print(out, kChatServerPrefix); !s.ok()) return s;
    if (absl::Status s = Print(out, AsCString(absl::string_view(buf, *n)));
        !s.ok()) {
      return s;
    }
  }
}

absl::Status RunChatClient(const ChatClientOptions& options, int input_fd,
                           std::FILE* out) {
  absl::StatusOr<PipeWriter> writer =
      OpenFifoWriter(options.fifo_path, Deadline::After(options.open_timeout));
  if (!writer.ok()) {
    return DescribeTimeout(writer.status(),
                           absl::StrCat("waiting for a reader on ",
                                        QuoteForMessage(options.fifo_path)),
                           options.open_timeout);
  }

  char buf[kChatBufferSize];
  for (;;) {
    if (absl::Status s = Print(out, kChatClientPrompt); !s.ok()) return s;
    const ssize_t len =
        RetryOnEintr([&] { return ::read(input_fd, buf, sizeof(buf)); });
    if (len == 0) break;  // end of input: closing the FIFO tells the server
    if (len < 0) return ErrnoError(errno, "client read", input_fd);
    absl::Status s =
        writer->WriteAll(absl::string_view(buf, static_cast<size_t>(len)));
    if (!s.ok()) return s;
  }
  return writer->Close();
}

}  // namespace ipcbox::examples
