// timeout_signal.h
//
// The signal that gives blocking lock calls a timeout. Linux has no timed
// F_SETLKW, F_OFD_SETLKW or flock(), so when `LockFor()` / `LockUntil()`
// must wait, a per-thread POSIX timer on CLOCK_MONOTONIC sends this signal to
// the waiting thread at the deadline, and the signal's empty handler
// (installed without SA_RESTART) makes the blocking call fail with EINTR. The
// thread sleeps in the kernel's lock queue meanwhile: no polling.
//
// ipcbox owns one signal for this, SIGRTMIN + 4 by default, and installs its
// handler the first time a timed wait has to block. If the program has since
// installed its own handler for that signal, timed calls fail with
// kFailedPrecondition rather than hijack it. A program that uses
// SIGRTMIN + 4 itself picks another signal for ipcbox once, at start-up:
//
//   int main() {
//     if (!ipcbox::SetLockTimeoutSignal(SIGRTMIN + 9).ok()) return 1;
//     ...
//   }
//
// Untimed `Lock()` and `TryLock()` use no signal. lib/file_lock's README.md
// has the steps, the race they close, and the cost in system calls.

#ifndef IPCBOX_FILE_LOCK_TIMEOUT_SIGNAL_H_
#define IPCBOX_FILE_LOCK_TIMEOUT_SIGNAL_H_

#include "absl/status/status.h"

namespace ipcbox {

// The signal timed lock waits use now.
int LockTimeoutSignal();

// Makes timed lock waits use `signo`, a real-time signal (SIGRTMIN to
// SIGRTMAX) or SIGUSR1, SIGUSR2 or SIGALRM; anything else is
// kInvalidArgument. The handler for the old signal stays installed (it does
// nothing). Call it before any thread waits for a lock with a timeout.
absl::Status SetLockTimeoutSignal(int signo);

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_TIMEOUT_SIGNAL_H_
