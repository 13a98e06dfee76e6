// wait_ready.h
//
// Internal to lib/pipe: the poll() wait under every timed pipe operation.
//
// Example (a timed read on a blocking end must wait before it reads):
//
//   absl::Status ready = WaitReady(fd().get(), POLLIN, deadline);
//   if (!ready.ok()) return ready;  // TimedOutError() at the deadline
//   absl::StatusOr<size_t> n = ReadOnce(buf);  // data or end-of-stream

#ifndef IPCBOX_PIPE_INTERNAL_WAIT_READY_H_
#define IPCBOX_PIPE_INTERNAL_WAIT_READY_H_

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox {
namespace pipe_internal {

// Waits until `fd` reports one of `events` (POLLIN, POLLOUT), an error or a
// hang-up, or until `deadline` passes. Returns OK when the next read or
// write will not wait (and will report end-of-stream or EPIPE itself),
// `TimedOutError()` once the deadline has passed, and an error status if
// poll() fails or `fd` is not open. EINTR restarts the wait with the time
// left, never with the full timeout. Does not allocate unless it fails.
absl::Status WaitReady(int fd, short events, const Deadline& deadline);

}  // namespace pipe_internal
}  // namespace ipcbox

#endif  // IPCBOX_PIPE_INTERNAL_WAIT_READY_H_
