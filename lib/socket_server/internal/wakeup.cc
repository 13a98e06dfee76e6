#include "ipcbox/socket_server/internal/wakeup.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {
namespace socket_server_internal {

absl::StatusOr<Fd> NewWakeup() {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return ErrnoError(errno, "eventfd", "");
  return Fd(fd);
}

void SignalWakeup(int fd) {
  const int saved_errno = errno;
  const uint64_t one = 1;
  // Only EAGAIN (a counter near 2^64) can fail here, and then the
  // descriptor is readable already.
  (void)RetryOnEintr([&] { return ::write(fd, &one, sizeof(one)); });
  errno = saved_errno;
}

void DrainWakeup(int fd) {
  uint64_t count;
  (void)RetryOnEintr([&] { return ::read(fd, &count, sizeof(count)); });
}

}  // namespace socket_server_internal
}  // namespace ipcbox
