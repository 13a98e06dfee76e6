#include "ipcbox/socket/internal/wait_ready.h"

#include <poll.h>

#include <cerrno>

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace socket_internal {

absl::Status WaitReady(int fd, short events, const Deadline& deadline) {
  struct pollfd pfd = {};
  pfd.fd = fd;
  pfd.events = events;
  for (;;) {
    const int ready = ::poll(&pfd, 1, deadline.PollTimeoutMs());
    if (ready > 0) {
      if (pfd.revents & POLLNVAL) return ErrnoError(EBADF, "poll", fd);
      return absl::OkStatus();
    }
    if (ready == 0) {
      // PollTimeoutMs() rounds up; the check keeps "never before the
      // deadline" even if the timer fires a little early.
      if (deadline.expired()) return TimedOutError();
      continue;
    }
    if (errno != EINTR) return ErrnoError(errno, "poll", fd);
  }
}

}  // namespace socket_internal
}  // namespace ipcbox
