#include "ipcbox/socket_server/internal/wakeup.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {
namespace socket_server_internal {

absl::StatusOr<Wakeup> Wakeup::Create() {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return ErrnoError(errno, "eventfd", "");
  return Wakeup(Fd(fd));
}

void Wakeup::Signal() const {
  const int saved_errno = errno;
  const uint64_t one = 1;
  // Only EAGAIN (a counter near 2^64) can fail here, and then the
  // descriptor is readable already.
  (void)RetryOnEintr([&] { return ::write(fd_.get(), &one, sizeof(one)); });
  errno = saved_errno;
}

void Wakeup::Drain() const {
  uint64_t count;
  (void)RetryOnEintr([&] { return ::read(fd_.get(), &count, sizeof(count)); });
}

}  // namespace socket_server_internal
}  // namespace ipcbox
