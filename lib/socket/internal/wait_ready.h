// wait_ready.h
//
// Internal to lib/socket: the poll() wait under every timed socket call.
//
// Example (a TCP connect() that is still in progress):
//
//   if (::connect(fd, addr, len) != 0 && errno == EINPROGRESS) {
//     absl::Status ready = WaitReady(fd, POLLOUT, deadline);
//     if (!ready.ok()) return ready;  // TimedOutError(): no handshake yet
//   }                                 // then SO_ERROR says how it ended

#ifndef IPCBOX_SOCKET_INTERNAL_WAIT_READY_H_
#define IPCBOX_SOCKET_INTERNAL_WAIT_READY_H_

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox {
namespace socket_internal {

// Waits until `fd` reports one of `events` (POLLIN, POLLOUT), an error or a
// hang-up, or until `deadline` passes. OK means the next call will not wait
// (it may report the error or end-of-stream itself); `TimedOutError()` once
// the deadline has passed. EINTR restarts the wait with the time left.
// Allocates only when poll() itself fails.
absl::Status WaitReady(int fd, short events, const Deadline& deadline);

}  // namespace socket_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_INTERNAL_WAIT_READY_H_
