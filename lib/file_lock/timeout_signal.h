// timeout_signal.h
//
// The signal that gives blocking lock calls a timeout. Linux has no timed
// form of F_SETLKW, F_OFD_SETLKW or flock(), so `LockFor()` / `LockUntil()`
// do this when the lock is taken:
//
//   1. try once without blocking; done if the lock was free;
//   2. arm the calling thread's POSIX timer on CLOCK_MONOTONIC, which sends
//      this signal to that thread only (SIGEV_THREAD_ID), at the deadline
//      and every millisecond after it (the thread's first such wait creates
//      the timer; it is deleted when the thread exits);
//   3. make the blocking call; the signal's handler does nothing, but being
//      installed without SA_RESTART it makes the call fail with EINTR;
//   4. on EINTR, return `TimedOutError()` if the deadline has passed, or wait
//      again (another signal interrupted us);
//   5. disarm the timer.
//
// The waiting thread sleeps in the kernel's lock queue the whole time: no
// polling, and it gets the lock as soon as the holder lets go, in the queue
// order the kernel keeps. The repeats after the deadline close a race: if
// the deadline passes between the last check and the blocking call, the
// first signal lands before the call and is lost, and the next one (1 ms
// later) interrupts it. Each thread has its own timer and the signal goes to
// that thread only, so any number of threads may wait with timeouts at once.
// If the thread blocks the signal, it is unblocked for the wait and blocked
// again afterwards (after the timer is disarmed, so nothing is left pending).
// Nothing here allocates (glibc 2.34 and later, musl: timer_create with
// SIGEV_THREAD_ID is a plain system call), except that glibc records the
// thread-exit clean-up of the timer once per thread. A contended timed wait
// costs five system calls more than an untimed one: the failed first try,
// sigaction() and pthread_sigmask() (the checks above), and two
// timer_settime().
//
// The cost: ipcbox owns one signal for this, SIGRTMIN + 4 by default. It
// installs its handler the first time a timed wait has to block, and checks
// it is still there at every such wait: if the program has since installed
// its own handler for the signal, the timed call fails with
// kFailedPrecondition rather than hijack it (a disposition of SIG_DFL or
// SIG_IGN is taken over). A program that uses SIGRTMIN + 4 itself picks
// another signal for ipcbox once, at start-up:
//
//   int main() {
//     if (!ipcbox::SetLockTimeoutSignal(SIGRTMIN + 9).ok()) return 1;
//     ...
//   }
//
// (util-linux flock(1) -w does the same with SIGALRM and a process-wide
// timer; a library cannot take SIGALRM, nor a process-wide timer, from the
// program it is linked into.)
//
// Untimed `Lock()` and `TryLock()` use no signal.

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
