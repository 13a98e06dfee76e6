#include "examples/pipe/pipe_un_lib.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/pipe.h"

namespace ipcbox::examples {
namespace {

// The child's half: copy the pipe to `output_fd` until the writer is done.
absl::Status Echo(PipeReader& pipe, int output_fd) {
  // A duplicate, so that the caller's descriptor is not the one closed.
  absl::StatusOr<PipeWriter> output =
      PipeWriter::FromFd(Fd(fcntl(output_fd, F_DUPFD_CLOEXEC, 0)));
  if (!output.ok()) return output.status();
  char buf[256];
  for (;;) {
    absl::StatusOr<size_t> n = pipe.Read(absl::MakeSpan(buf));
    if (IsEndOfStream(n.status())) return absl::OkStatus();
    if (!n.ok()) return n.status();
    absl::Status written = output->WriteAll(absl::string_view(buf, *n));
    if (!written.ok()) return written;
  }
}

[[noreturn]] void RunChild(Pipe& pipe, int output_fd) {
  (void)pipe.writer.Close();  // the child reads, doesn't write
  const absl::Status echoed = Echo(pipe.reader, output_fd);
  if (!echoed.ok())
    std::fprintf(stderr, "pipe_un child: %s\n", echoed.ToString().c_str());
  _exit(echoed.ok() ? 0 : 1);
}

absl::Status WaitForChild(pid_t child) {
  int status = 0;
  if (RetryOnEintr([&] { return waitpid(child, &status, 0); }) < 0) {
    return ErrnoError(errno, "waitpid", absl::StrCat("child ", child));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("the echoing child ended with status ", status));
}

}  // namespace

absl::StatusOr<PipeUnRun> RunPipeUn(absl::string_view message, int output_fd) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  if (!pipe.ok()) return pipe.status();

  std::fflush(nullptr);  // nothing buffered may be printed twice
  const pid_t child = fork();
  if (child < 0) return ErrnoError(errno, "fork", "pipe_un");
  if (child == 0) RunChild(*pipe, output_fd);

  (void)pipe->reader.Close();  // the parent writes, doesn't read
  const absl::Status written = pipe->writer.WriteAll(message);
  (void)pipe->writer.Close();  // done writing: the child sees end-of-stream
  const absl::Status waited = WaitForChild(child);
  if (!written.ok()) return written;
  if (!waited.ok()) return waited;
  return PipeUnRun{child, message.size()};
}

}  // namespace ipcbox::examples
