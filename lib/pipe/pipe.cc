#include "ipcbox/pipe/pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_capacity.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox {

absl::StatusOr<Pipe> CreatePipe(const PipeOptions& options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
  Fd read_fd(fds[0]);
  Fd write_fd(fds[1]);

  if (options.capacity != 0) {
    absl::StatusOr<size_t> size = SetPipeCapacity(write_fd, options.capacity);
    if (!size.ok()) return size.status();
  }
  absl::StatusOr<PipeReader> reader = PipeReader::FromFd(std::move(read_fd));
  if (!reader.ok()) return reader.status();
  absl::StatusOr<PipeWriter> writer = PipeWriter::FromFd(std::move(write_fd));
  if (!writer.ok()) return writer.status();

  if (options.nonblocking_reader) {
    if (absl::Status s = reader->SetNonBlocking(true); !s.ok()) return s;
  }
  if (options.nonblocking_writer) {
    if (absl::Status s = writer->SetNonBlocking(true); !s.ok()) return s;
  }
  return Pipe{*std::move(reader), *std::move(writer)};
}

}  // namespace ipcbox
