// wait_ready.h
//
// The poll() wait under every timed call on a descriptor (a pipe or FIFO
// end, a socket): wait until the next read(), write(), accept() or
// connect() result will not block, or until the deadline.
//
// Example (a timed read on a blocking descriptor waits before it reads):
//
//   absl::Status ready = WaitReady(fd.get(), POLLIN, deadline);
//   if (!ready.ok()) return ready;  // TimedOutError() at the deadline
//   ssize_t n = ::read(fd.get(), buf, size);  // data, 0 or an errno
//
// Example (a TCP connect() that is still in progress):
//
//   if (::connect(fd, addr, len) != 0 && errno == EINPROGRESS) {
//     absl::Status ready = WaitReady(fd, POLLOUT, deadline);
//     if (!ready.ok()) return ready;  // TimedOutError(): no handshake yet
//   }                                 // then SO_ERROR says how it ended

#ifndef IPCBOX_CORE_WAIT_READY_H_
#define IPCBOX_CORE_WAIT_READY_H_

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox {

// Waits until `fd` reports one of `events` (POLLIN, POLLOUT), an error or a
// hang-up, or until `deadline` passes. Returns OK when the next read or
// write will not wait (and will report end-of-stream, EPIPE or the socket
// error itself), `TimedOutError()` once the deadline has passed, and an
// error status if poll() fails or `fd` is not open. EINTR restarts the wait
// with the time left, never with the full timeout. Does not allocate unless
// it fails.
absl::Status WaitReady(int fd, short events, const Deadline& deadline);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_WAIT_READY_H_
