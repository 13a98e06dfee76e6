// scoped_signal_handler.h
//
// `ScopedSignalHandler` installs a signal's action (a handler function,
// "ignore" or "default") with sigaction() and puts the previous action back
// when it goes away, so that a library or a test can take a signal for a
// while without leaving its choice behind.
//
// Example:
//
//   void OnAlarm(int) { g_alarmed = 1; }   // async-signal-safe only
//   ...
//   absl::StatusOr<ScopedSignalHandler> handler =
//       ScopedSignalHandler::Install(SIGALRM, OnAlarm);
//   if (!handler.ok()) return handler.status();
//   ...                                    // SIGALRM runs OnAlarm
//   // ~ScopedSignalHandler: SIGALRM's previous action is back.
//
// The handler may only make async-signal-safe calls (async_signal_safe.h);
// `SignalFlag`, `SignalPipe` and `SignalFd` cover the common cases. An action
// belongs to the whole process: scopes for one signal must end in reverse
// order. Handlers get SA_RESTART by default. SIGKILL and SIGSTOP are
// kInvalidArgument. lib/signal's README.md has the details.

#ifndef IPCBOX_SIGNAL_SCOPED_SIGNAL_HANDLER_H_
#define IPCBOX_SIGNAL_SCOPED_SIGNAL_HANDLER_H_

#include <signal.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {

struct HandlerOptions {
  // SA_RESTART: system calls the handler interrupts are restarted where the
  // kernel can, instead of failing with EINTR. Turn it off when the handler
  // exists to interrupt a blocking call (a read that should give up).
  bool restart_interrupted_calls = true;
  // Signals blocked while the handler runs, besides the signal itself.
  SignalSet also_block;
  // SA_NOCLDSTOP, for SIGCHLD only: no SIGCHLD when a child stops or
  // continues, only when it ends.
  bool only_child_exits = false;
};

class ScopedSignalHandler {
 public:
  using Handler = void (*)(int signo);
  // SA_SIGINFO handler: `info` says who sent the signal and carries
  // sigqueue()'s value (info->si_value.sival_int).
  using InfoHandler = void (*)(int signo, siginfo_t* info, void* context);

  // Holds nothing; restores nothing.
  ScopedSignalHandler() = default;

  // Installs `handler` for `signo`. kInvalidArgument for an invalid signal,
  // SIGKILL, SIGSTOP or a null handler.
  static absl::StatusOr<ScopedSignalHandler> Install(
      int signo, Handler handler, const HandlerOptions& options = {});
  static absl::StatusOr<ScopedSignalHandler> InstallWithInfo(
      int signo, InfoHandler handler, const HandlerOptions& options = {});

  // Sets `signo` to SIG_IGN: the signal is discarded on arrival.
  static absl::StatusOr<ScopedSignalHandler> Ignore(int signo);
  // Sets `signo` to SIG_DFL: the kernel's default action (terminate, core
  // dump, stop or nothing, depending on the signal).
  static absl::StatusOr<ScopedSignalHandler> SetDefault(int signo);

  ScopedSignalHandler(ScopedSignalHandler&& other) noexcept;
  ScopedSignalHandler& operator=(ScopedSignalHandler&& other) noexcept;
  ScopedSignalHandler(const ScopedSignalHandler&) = delete;
  ScopedSignalHandler& operator=(const ScopedSignalHandler&) = delete;

  // Restores the previous action (see `Restore()`).
  ~ScopedSignalHandler();

  // Puts the previous action back now. Does nothing if this object holds
  // nothing (default-constructed, moved-from or already restored).
  absl::Status Restore();

  // True until restored or moved from.
  bool active() const { return signo_ != 0; }
  // The signal, or 0 when not active.
  int signo() const { return signo_; }
  // The action in place before this object installed its own.
  const struct sigaction& previous() const { return previous_; }

 private:
  ScopedSignalHandler(int signo, const struct sigaction& previous)
      : signo_(signo), previous_(previous) {}

  static absl::StatusOr<ScopedSignalHandler> Replace(
      int signo, const struct sigaction& action);

  int signo_ = 0;
  struct sigaction previous_ = {};
};

// The action currently installed for `signo` (sigaction query).
absl::StatusOr<struct sigaction> CurrentSignalAction(int signo);

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SCOPED_SIGNAL_HANDLER_H_
