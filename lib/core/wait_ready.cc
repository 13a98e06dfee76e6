#include "ipcbox/core/wait_ready.h"

#include <poll.h>

#include <cerrno>

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {

absl::Status WaitReady(int fd, short events, const Deadline& deadline) {
  struct pollfd pfd = {};
  pfd.fd = fd;
  pfd.events = events;
  for (;;) {
    const int ready = ::poll(&pfd, 1, deadline.PollTimeoutMs());
    if (ready > 0) {
      // POLLHUP and POLLERR count as ready: the read or write that follows
      // turns them into end-of-stream or EPIPE with the proper status.
      if (pfd.revents & POLLNVAL) return ErrnoError(EBADF, "poll", fd);
      return absl::OkStatus();
    }
    if (ready == 0) {
      // PollTimeoutMs() rounds up, so this is normally expired already; the
      // check keeps the promise "never before the deadline" even if the
      // kernel's timer fires a little early.
      if (deadline.expired()) return TimedOutError();
      continue;
    }
    if (errno != EINTR) return ErrnoError(errno, "poll", fd);
  }
}

}  // namespace ipcbox
