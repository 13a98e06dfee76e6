#include "ipcbox/signal/signal_number.h"

#include <signal.h>
#include <string.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ipcbox {
namespace {

// Numbers between the last classic signal (SIGSYS, 31) and SIGRTMIN belong
// to the C library's threads.
bool ReservedByCLibrary(int signo) {
  return signo > SIGSYS && signo < SIGRTMIN;
}

}  // namespace

int MaxSignalNumber() { return SIGRTMAX; }

absl::Status CheckSignalNumber(int signo) {
  if (signo >= 1 && signo <= SIGRTMAX && !ReservedByCLibrary(signo)) {
    return absl::OkStatus();
  }
  if (ReservedByCLibrary(signo)) {
    return absl::InvalidArgumentError(
        absl::StrCat("signal ", signo,
                     " is reserved by the C library's threads (NPTL); "
                     "real-time signals start at SIGRTMIN (",
                     SIGRTMIN, ")"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("signal ", signo,
                   " is not a signal number: valid numbers "
                   "are 1..",
                   SIGRTMAX,
                   " (0 only asks whether a process "
                   "exists: use ProcessExists())"));
}

absl::Status CheckHandleableSignal(int signo) {
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  if (signo == SIGKILL || signo == SIGSTOP) {
    return absl::InvalidArgumentError(
        absl::StrCat(SignalName(signo),
                     " cannot be caught, blocked or "
                     "ignored: the kernel always applies its default action"));
  }
  return absl::OkStatus();
}

std::string SignalName(int signo) {
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
    if (signo == SIGRTMIN) return "SIGRTMIN";
    if (signo == SIGRTMAX) return "SIGRTMAX";
    return absl::StrCat("SIGRTMIN+", signo - SIGRTMIN);
  }
  const char* abbrev =
      signo >= 1 && signo <= SIGSYS ? sigabbrev_np(signo) : nullptr;
  if (abbrev == nullptr) return absl::StrCat("signal ", signo);
  return absl::StrCat("SIG", abbrev);
}

}  // namespace ipcbox
