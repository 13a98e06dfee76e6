// wakeup.h
//
// Internal to lib/socket_server: an eventfd that another thread, or a signal
// handler, uses to wake an epoll loop. `Signal()` is one write() of 8 bytes,
// which is async-signal-safe and keeps errno as it was, so a handler can
// call it between any two instructions of the interrupted code. Signals
// made before the loop waits are not lost: the counter stays non-zero, and
// the descriptor readable, until `Drain()`.
//
// Example:
//
//   absl::StatusOr<Wakeup> wakeup = Wakeup::Create();
//   ...add wakeup->fd() to the epoll set...
//   // another thread: wakeup->Signal();
//   // the loop, when the fd is readable: wakeup->Drain(); return;

#ifndef IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_
#define IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_

#include <utility>

#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace socket_server_internal {

class Wakeup {
 public:
  Wakeup() = default;
  static absl::StatusOr<Wakeup> Create();

  int fd() const { return fd_.get(); }

  // Makes the descriptor readable. Async-signal-safe, thread-safe.
  void Signal() const;
  // Makes it not readable again.
  void Drain() const;

 private:
  explicit Wakeup(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;
};

}  // namespace socket_server_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_INTERNAL_WAKEUP_H_
