#include "ipcbox/pipe/internal/pipe_end.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

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
  return access_mode ==
         (direction == Direction::kRead ? O_RDONLY : O_WRONLY);
}

}  // namespace

absl::StatusOr<PipeEnd> PipeEnd::Adopt(Fd fd, Direction direction) {
  if (!fd.valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        EndName(direction), "::FromFd: no descriptor (fd ", fd.get(), ")"));
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd.get());
  if (!OpenFor(flags & O_ACCMODE, direction)) {
    return absl::InvalidArgumentError(
        absl::StrCat(EndName(direction), "::FromFd: fd ", fd.get(),
                     " is not open for ",
                     direction == Direction::kRead ? "reading" : "writing"));
  }
  return PipeEnd(std::move(fd), direction, (flags & O_NONBLOCK) != 0);
}

absl::Status PipeEnd::SetNonBlocking(bool nonblocking) {
  if (absl::Status s = CheckOpen("SetNonBlocking"); !s.ok()) return s;
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd_.get());
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd_.get(), F_SETFL, wanted) < 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", fd_.get());
  }
  nonblocking_ = nonblocking;
  return absl::OkStatus();
}

Fd PipeEnd::Release() { return std::move(fd_); }

absl::Status PipeEnd::Close() { return fd_.Close(); }

absl::Status PipeEnd::DuplicateOnto(int target_fd) const {
  if (absl::Status s = CheckOpen("DuplicateOnto"); !s.ok()) return s;
  if (target_fd == fd_.get()) {
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
  if (RetryOnEintr([&] { return ::dup2(fd_.get(), target_fd); }) < 0) {
    return ErrnoError(errno, "dup2", fd_.get());
  }
  return absl::OkStatus();
}

absl::Status PipeEnd::NotOpenError(const char* operation) const {
  return absl::FailedPreconditionError(absl::StrCat(
      EndName(direction_), "::", operation,
      ": not open (default-constructed, moved-from, released or closed)"));
}

}  // namespace pipe_internal
}  // namespace ipcbox
