// signal_fd.h
//
// `SignalFd` receives signals synchronously, as data read from a descriptor
// (signalfd(2)), instead of through a handler. No code runs asynchronously,
// so whatever the program does with a signal it can do with any function,
// and the descriptor fits in a poll()/epoll loop beside sockets and pipes.
//
// Example (an event loop that stops on SIGTERM or SIGINT):
//
//   absl::StatusOr<SignalSet> set = SignalSet::Of({SIGTERM, SIGINT});
//   absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
//   absl::StatusOr<SignalFd> signals = SignalFd::Create(*set);
//   ...
//   pollfd fds[] = {{signals->fd(), POLLIN, 0}, {socket, POLLIN, 0}};
//   poll(fds, 2, -1);
//   if (fds[0].revents & POLLIN) {
//     absl::StatusOr<SignalInfo> info = signals->Read();
//     if (info.ok() && info->signo == SIGTERM) return Shutdown();
//   }
//
// The signals must be blocked, or they are delivered the ordinary way first:
// `Create()` checks the calling thread's mask. In a threaded program block
// them in every thread (before creating threads). Reads do not allocate;
// ordinary signals merge, real-time ones queue. See lib/signal's README.md.

#ifndef IPCBOX_SIGNAL_SIGNAL_FD_H_
#define IPCBOX_SIGNAL_SIGNAL_FD_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/signal/signal_info.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {

struct SignalFdOptions {
  // `Read()` returns `WouldBlockError()` when nothing is pending, instead
  // of waiting. (The descriptor itself is always O_NONBLOCK, so that a timed
  // read never blocks past its deadline; blocking reads poll() first.)
  bool nonblocking = false;
  // Refuse to create the descriptor if the calling thread does not block
  // every signal in the set (see the header comment). Turn off only when
  // another thread, which blocks them, is the one meant to take them.
  bool require_blocked = true;
};

class SignalFd {
 public:
  // Not open; every read fails with kFailedPrecondition.
  SignalFd() = default;

  // A descriptor that reads the signals in `signals` (close-on-exec).
  // kInvalidArgument for an empty set or one with SIGKILL/SIGSTOP;
  // kFailedPrecondition, naming them, if some are not blocked.
  static absl::StatusOr<SignalFd> Create(const SignalSet& signals,
                                         const SignalFdOptions& options = {});

  SignalFd(SignalFd&&) = default;
  SignalFd& operator=(SignalFd&&) = default;

  // The next pending signal. Waits until one arrives, or, with
  // `SignalFdOptions::nonblocking`, returns `WouldBlockError()` at once.
  absl::StatusOr<SignalInfo> Read();
  // Waits at most `timeout` / until `deadline`; `TimedOutError()` if no
  // signal came. A zero timeout checks once.
  absl::StatusOr<SignalInfo> ReadFor(absl::Duration timeout);
  absl::StatusOr<SignalInfo> ReadUntil(Deadline deadline);

  // Changes which signals the descriptor reads (same checks as `Create()`).
  absl::Status SetSignals(const SignalSet& signals);

  // For poll()/epoll: readable while a signal in the set is pending.
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  const SignalSet& signals() const { return signals_; }

  absl::Status Close() { return fd_.Close(); }

 private:
  SignalFd(Fd fd, const SignalSet& signals, bool nonblocking)
      : fd_(std::move(fd)), signals_(signals), nonblocking_(nonblocking) {}

  // One read(2) of one signalfd_siginfo.
  absl::StatusOr<SignalInfo> ReadOnce();

  Fd fd_;
  SignalSet signals_;
  bool nonblocking_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_FD_H_
