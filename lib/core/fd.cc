#include "ipcbox/core/fd.h"

#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {

void Fd::reset(int fd) {
  if (fd_ >= 0 && fd_ != fd) {
    // Destructors run on error paths where the caller is about to read errno
    // for an earlier failure; do not let this close() change it.
    const int saved_errno = errno;
    ::close(fd_);
    errno = saved_errno;
  }
  fd_ = fd;
}

absl::Status Fd::Close() {
  const int fd = release();
  if (fd < 0) return absl::OkStatus();
  // Never retry close() on EINTR. On Linux the descriptor is freed before
  // close() can be interrupted, so EINTR (like every other error) reports on
  // data that could not be flushed, not on a descriptor still open. Calling
  // close() again would at best fail with EBADF and at worst close a
  // descriptor that another thread has just been given the same number.
  if (::close(fd) != 0) return ErrnoError(errno, "close", fd);
  return absl::OkStatus();
}

}  // namespace ipcbox
