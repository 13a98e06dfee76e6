// signal_flag.h
//
// `SignalFlag` is the handler most programs need: it only notes that the
// signal arrived, and the program looks at the note when it is ready. The
// handler does one atomic increment, which is async-signal-safe, so nothing
// unsafe ever runs asynchronously.
//
// Example (stop a work loop on SIGINT):
//
//   absl::StatusOr<SignalFlag> interrupted = SignalFlag::Install(SIGINT);
//   if (!interrupted.ok()) return interrupted.status();
//   while (!interrupted->raised()) DoSomeWork();
//   // ~SignalFlag: SIGINT's previous action is back.
//
// The flag does not wake a thread that sleeps in a blocking call unless the
// call fails with EINTR; install it with `restart_interrupted_calls = false`
// for that, or use `SignalPipe` to wake a poll() loop.
//
// One ipcbox handler (SignalFlag or SignalPipe) per signal at a time: a
// second one for the same signal is kAlreadyExists. Reading the flag is a
// relaxed atomic load: no system call, no allocation.

#ifndef IPCBOX_SIGNAL_SIGNAL_FLAG_H_
#define IPCBOX_SIGNAL_SIGNAL_FLAG_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/signal/scoped_signal_handler.h"

namespace ipcbox {

class SignalFlag {
 public:
  // Not installed: never raised.
  SignalFlag() = default;

  // Installs the counting handler for `signo` (count starts at 0).
  // kInvalidArgument for an invalid signal, SIGKILL or SIGSTOP.
  static absl::StatusOr<SignalFlag> Install(int signo,
                                            const HandlerOptions& options = {});

  SignalFlag(SignalFlag&& other) noexcept;
  SignalFlag& operator=(SignalFlag&& other) noexcept;
  SignalFlag(const SignalFlag&) = delete;
  SignalFlag& operator=(const SignalFlag&) = delete;

  // Restores the previous action.
  ~SignalFlag();

  // True if the signal arrived since the last `Take()`.
  bool raised() const;

  // How many times the handler ran since the last `Take()`, and resets the
  // count. Ordinary signals sent while one is pending merge, so this counts
  // deliveries, not sends.
  int Take();

  int signo() const { return handler_.signo(); }

 private:
  explicit SignalFlag(ScopedSignalHandler handler)
      : handler_(std::move(handler)) {}
  void Uninstall();

  ScopedSignalHandler handler_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_FLAG_H_
