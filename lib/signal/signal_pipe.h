// signal_pipe.h
//
// `SignalPipe` is the self-pipe trick: a handler for each of a set of
// signals writes the signal's number, one byte, into a pipe, and the program
// reads the numbers from the pipe's read end, which it can poll() together
// with its other descriptors. The handler makes one write(2) and saves
// errno, both async-signal-safe; everything else happens in ordinary code.
//
// Example (a loop that ticks once a second until SIGTERM):
//
//   absl::StatusOr<SignalSet> set = SignalSet::Of({SIGTERM});
//   absl::StatusOr<SignalPipe> signals = SignalPipe::Install(*set);
//   for (;;) {
//     absl::StatusOr<int> signo = signals->WaitFor(absl::Seconds(1));
//     if (signo.ok()) break;                  // *signo == SIGTERM
//     if (!IsTimedOut(signo.status())) return signo.status();
//     Tick();
//   }
//
// Unlike a `SignalFd`, it needs no signal blocked and works wherever handlers
// do; unlike a `SignalFlag`, it wakes a sleeping poll() at once. One ipcbox
// handler (SignalFlag or SignalPipe) per signal at a time: kAlreadyExists
// otherwise. Reads do not allocate. See lib/signal's README.md.

#ifndef IPCBOX_SIGNAL_SIGNAL_PIPE_H_
#define IPCBOX_SIGNAL_SIGNAL_PIPE_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {

class SignalPipe {
 public:
  // Not installed: every wait fails with kFailedPrecondition.
  SignalPipe() = default;

  // Installs the writing handler for each signal in `signals`. On failure
  // nothing stays installed. kInvalidArgument for an empty set or one with
  // SIGKILL or SIGSTOP.
  static absl::StatusOr<SignalPipe> Install(const SignalSet& signals,
                                            const HandlerOptions& options = {});

  SignalPipe(SignalPipe&& other) noexcept = default;
  SignalPipe& operator=(SignalPipe&& other) noexcept;
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  ~SignalPipe();

  // The number of the next signal that arrived, without waiting:
  // `WouldBlockError()` if none.
  absl::StatusOr<int> Take();
  // The next signal, waiting at most `timeout` / until `deadline`:
  // `TimedOutError()` if none came.
  absl::StatusOr<int> WaitFor(absl::Duration timeout);
  absl::StatusOr<int> WaitUntil(Deadline deadline);

  // The read end, for poll(): readable while a signal number is waiting.
  int fd() const { return reader_.fd().get(); }
  const SignalSet& signals() const { return signals_; }

 private:
  void Uninstall();

  SignalSet signals_;
  std::vector<ScopedSignalHandler> handlers_;
  PipeReader reader_;
  Fd write_end_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_PIPE_H_
