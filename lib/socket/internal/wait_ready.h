// wait_ready.h
//
// Internal to lib/socket: the poll() wait under every timed socket call.

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
