// wait_exit.h
//
// Internal to lib/process: reaping one child, at once or by a deadline.
//
// Example (`Child::WaitFor()` and `Child::TryWait()`):
//
//   absl::StatusOr<ExitStatus> status =
//       WaitForExit(pid, pidfd, Deadline::After(absl::Seconds(2)));
//   if (IsTimedOut(status.status())) ...  // still running, not reaped
//   status = ReapIfEnded(pid);            // never waits: WouldBlockError()
//
// With a pidfd the wait is a single poll() on it, which the kernel wakes
// when the child ends. Without one (Linux < 5.3, or an emulator that lacks
// pidfd_open) it sleeps and checks with waitpid(WNOHANG), the pauses
// doubling from 100 us to 10 ms: a child that ends at once is noticed at
// once, and a long wait costs at most a hundred wake-ups a second. (Waiting
// for SIGCHLD instead would mean taking over the process's SIGCHLD handler
// or mask, which a library must not do behind the program's back.)
//
// No allocation on any outcome but an unexpected error.

#ifndef IPCBOX_PROCESS_INTERNAL_WAIT_EXIT_H_
#define IPCBOX_PROCESS_INTERNAL_WAIT_EXIT_H_

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {
namespace process_internal {

// Reaps `pid` if it has ended: its status; `WouldBlockError()` while it
// runs; kFailedPrecondition if it is not (or no longer) a child to wait for
// (ECHILD: SIGCHLD ignored, or reaped by someone else's waitpid(-1)).
absl::StatusOr<ExitStatus> ReapIfEnded(pid_t pid);

// Waits until `pid` ends or `deadline` passes, then reaps it. `pidfd` is the
// child's pidfd, or -1 to sleep and check; an infinite deadline is a plain
// blocking waitpid(). `TimedOutError()` if it still runs at the deadline.
absl::StatusOr<ExitStatus> WaitForExit(pid_t pid, int pidfd,
                                       const Deadline& deadline);

// Sleeps for the shorter of `pause` and what is left before `deadline`,
// then doubles `pause` up to the 10 ms cap. For polling loops.
void SleepAndBackOff(const Deadline& deadline, long& pause_ns);

// The first pause of a `SleepAndBackOff()` loop.
inline constexpr long kFirstPauseNs = 100 * 1000;

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_WAIT_EXIT_H_
