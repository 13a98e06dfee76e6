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
// pidfd_open) it checks with waitpid(WNOHANG) and backs off between checks
// (ipcbox/core/backoff.h; lib/core's README.md, "Waiting with a deadline",
// says why not SIGCHLD).
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

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_WAIT_EXIT_H_
