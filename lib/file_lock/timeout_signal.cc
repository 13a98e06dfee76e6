#include "ipcbox/file_lock/timeout_signal.h"

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <mutex>  // NOLINT(build/c++11): std::mutex does not allocate.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/internal/timeout_signal_handler.h"

namespace ipcbox {
namespace {

// 0 until set: SIGRTMIN is a function call in glibc (the threading library
// reserves the first real-time signals at run time), not a constant.
std::atomic<int> g_timeout_signal{0};

// Serialises installing the handler, so that two threads doing their first
// timed wait at once do not both decide the signal is free.
std::mutex g_install_mutex;

// Its only job is to exist: a caught signal interrupts a blocking system
// call, which fails with EINTR because SA_RESTART is not set.
void InterruptOnly(int) {}

bool IsOurHandler(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) == 0 &&
         action.sa_handler == &InterruptOnly;
}

bool IsUnclaimed(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) == 0 &&
         (action.sa_handler == SIG_DFL || action.sa_handler == SIG_IGN);
}

absl::Status InstallHandler(int signo) {
  std::lock_guard<std::mutex> hold(g_install_mutex);
  struct sigaction current;
  if (::sigaction(signo, nullptr, &current) != 0) {
    return ErrnoError(errno, "sigaction", absl::StrCat("signal ", signo));
  }
  if (IsOurHandler(current)) return absl::OkStatus();
  if (!IsUnclaimed(current)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "timed lock wait: signal ", signo,
        " has a handler that is not ipcbox's; choose a free signal with "
        "ipcbox::SetLockTimeoutSignal()"));
  }
  struct sigaction action = {};
  action.sa_handler = &InterruptOnly;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // No SA_RESTART: the point is to interrupt.
  if (::sigaction(signo, &action, nullptr) != 0) {
    return ErrnoError(errno, "sigaction", absl::StrCat("signal ", signo));
  }
  return absl::OkStatus();
}

}  // namespace

int LockTimeoutSignal() {
  const int signo = g_timeout_signal.load(std::memory_order_relaxed);
  return signo != 0 ? signo : SIGRTMIN + 4;
}

absl::Status SetLockTimeoutSignal(int signo) {
  const bool realtime = signo >= SIGRTMIN && signo <= SIGRTMAX;
  if (!realtime && signo != SIGUSR1 && signo != SIGUSR2 && signo != SIGALRM) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SetLockTimeoutSignal: signal ", signo, " is not a real-time signal (",
        SIGRTMIN, "..", SIGRTMAX, "), SIGUSR1, SIGUSR2 or SIGALRM"));
  }
  g_timeout_signal.store(signo, std::memory_order_relaxed);
  return absl::OkStatus();
}

namespace file_lock_internal {

absl::StatusOr<int> ReadyTimeoutSignal() {
  const int signo = LockTimeoutSignal();
  struct sigaction current;
  if (::sigaction(signo, nullptr, &current) != 0) {
    return ErrnoError(errno, "sigaction", absl::StrCat("signal ", signo));
  }
  if (IsOurHandler(current)) return signo;  // The usual case: one syscall.
  if (absl::Status s = InstallHandler(signo); !s.ok()) return s;
  return signo;
}

}  // namespace file_lock_internal
}  // namespace ipcbox
