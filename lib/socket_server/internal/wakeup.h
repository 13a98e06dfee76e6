// wakeup.h
//
// Internal to lib/socket_server: an eventfd that another thread, or a signal
// handler, uses to wake an epoll loop. `SignalWakeup()` is one write() of 8
// bytes, which is async-signal-safe and keeps errno as it was, so a handler can
// call it between any two instructions of the interrupted code. Signals
// made before the loop waits are not lost: the counter stays non-zero, and
// the descriptor readable, until `DrainWakeup()`.
//
// Example:
//
//   absl::StatusOr<Fd> wakeup = NewWakeup();
//   ...add wakeup->get() to the epoll set...
//   // another thread: SignalWakeup(wakeup->get());
//   // the loop, when the fd is readable: DrainWakeup(wakeup->get()); return;

#ifndef IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_
#define IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_

#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace socket_server_internal {

// A new eventfd (close-on-exec, non-blocking), not readable.
absl::StatusOr<Fd> NewWakeup();

// Makes the descriptor readable. Async-signal-safe, thread-safe.
void SignalWakeup(int fd);
// Makes it not readable again.
void DrainWakeup(int fd);

}  // namespace socket_server_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_
