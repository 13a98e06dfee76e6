#include "ipcbox/pipe/pipe_end.h"

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
namespace {

const char* EndName(bool read) { return read ? "PipeReader" : "PipeWriter"; }

}  // namespace

absl::StatusOr<bool> PipeEnd::CheckEnd(const Fd& fd, Direction direction) {
  const bool read = direction == Direction::kRead;
  if (!fd.valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        EndName(read), "::FromFd: no descriptor (fd ", fd.get(), ")"));
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd.get());
  const int access_mode = flags & O_ACCMODE;
  // O_RDWR serves either direction (a FIFO opened O_RDWR, say).
  if (access_mode != O_RDWR && access_mode != (read ? O_RDONLY : O_WRONLY)) {
    return absl::InvalidArgumentError(
        absl::StrCat(EndName(read), "::FromFd: fd ", fd.get(),
                     " is not open for ", read ? "reading" : "writing"));
  }
  return (flags & O_NONBLOCK) != 0;
}

absl::Status PipeEnd::SetNonBlocking(bool nonblocking) {
  if (!fd_.valid()) return NotOpenError("SetNonBlocking");
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd_.get());
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd_.get(), F_SETFL, wanted) < 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", fd_.get());
  }
  nonblocking_ = nonblocking;
  return absl::OkStatus();
}

absl::Status PipeEnd::DuplicateOnto(int target_fd) const {
  if (!fd_.valid()) return NotOpenError("DuplicateOnto");
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
      EndName(direction_ == Direction::kRead), "::", operation,
      ": not open (default-constructed, moved-from, released or closed)"));
}

}  // namespace ipcbox
