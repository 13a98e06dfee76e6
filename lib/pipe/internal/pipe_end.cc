#include "ipcbox/pipe/internal/pipe_end.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {
namespace pipe_internal {
namespace {

const char* EndName(Direction direction) {
  return direction == Direction::kRead ? "PipeReader" : "PipeWriter";
}

bool OpenFor(int access_mode, Direction direction) {
  if (access_mode == O_RDWR) return true;  // e.g. a FIFO opened O_RDWR
  return access_mode == (direction == Direction::kRead ? O_RDONLY : O_WRONLY);
}

}  // namespace

absl::StatusOr<bool> CheckEnd(const Fd& fd, Direction direction) {
  if (!fd.valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        EndName(direction), "::FromFd: no descriptor (fd ", fd.get(), ")"));
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd.get());
  if (!OpenFor(flags & O_ACCMODE, direction)) {
    return absl::InvalidArgumentError(absl::StrCat(
        EndName(direction), "::FromFd: fd ", fd.get(), " is not open for ",
        direction == Direction::kRead ? "reading" : "writing"));
  }
  return (flags & O_NONBLOCK) != 0;
}

absl::Status SetEndNonBlocking(const Fd& fd, Direction direction,
                               bool nonblocking) {
  if (!fd.valid()) return EndNotOpenError(direction, "SetNonBlocking");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd.get());
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd.get(), F_SETFL, wanted) < 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", fd.get());
  }
  return absl::OkStatus();
}

absl::Status DuplicateEndOnto(const Fd& fd, Direction direction,
                              int target_fd) {
  if (!fd.valid()) return EndNotOpenError(direction, "DuplicateOnto");
  if (target_fd == fd.get()) {
    // dup2() onto itself does nothing, which would leave FD_CLOEXEC set and
    // the descriptor would vanish at exec. Clear the flag instead.
    const int fd_flags = ::fcntl(target_fd, F_GETFD);
    if (fd_flags < 0 ||
        ::fcntl(target_fd, F_SETFD, fd_flags & ~FD_CLOEXEC) < 0) {
      return ErrnoError(errno, "fcntl(F_SETFD)", target_fd);
    }
    return absl::OkStatus();
  }
  // dup2() gives the copy no FD_CLOEXEC: it is meant to survive exec.
  if (RetryOnEintr([&] { return ::dup2(fd.get(), target_fd); }) < 0) {
    return ErrnoError(errno, "dup2", fd.get());
  }
  return absl::OkStatus();
}

absl::Status EndNotOpenError(Direction direction, const char* operation) {
  return absl::FailedPreconditionError(absl::StrCat(
      EndName(direction), "::", operation,
      ": not open (default-constructed, moved-from, released or closed)"));
}

}  // namespace pipe_internal
}  // namespace ipcbox
