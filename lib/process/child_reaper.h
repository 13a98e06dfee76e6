// child_reaper.h
//
// `ChildReaper` reaps children that the program no longer waits for, so that
// none of them stays a zombie (an ended process whose exit status nobody
// collected, holding its pid and a process-table slot; a daemon that leaks
// them eventually cannot fork).
//
// A `Child` that is detached, or destroyed while running with
// `WhenDestroyedRunning::kLeaveToReaper`, is handed over here:
//
//   child.Detach();   // or: child.set_when_destroyed(kLeaveToReaper)
//   // ...the child keeps running; when it ends, SIGCHLD reaps it.
//
// The first hand-over installs a SIGCHLD handler that reaps only the pids
// handed over, never the statuses other code waits for. A program that
// blocks SIGCHLD everywhere (a signalfd) calls `ReapEnded()` when SIGCHLD
// arrives, and so does a SIGCHLD handler it installs later. lib/process's
// README.md has how it works and its caveats.

#ifndef IPCBOX_PROCESS_CHILD_REAPER_H_
#define IPCBOX_PROCESS_CHILD_REAPER_H_

#include <sys/types.h>

#include "absl/status/status.h"

namespace ipcbox {

class ChildReaper {
 public:
  // How many running children can be handed over at once.
  static constexpr int kCapacity = 128;

  // Takes over reaping `pid`, an unreaped child of this process that
  // nothing else will wait for. kFailedPrecondition if `pid` is not such a
  // child, kResourceExhausted when `kCapacity` children are already handed
  // over (the caller keeps responsibility for it then).
  static absl::Status Adopt(pid_t pid);

  // Reaps every handed-over child that has ended; returns how many.
  // Async-signal-safe (the SIGCHLD handler calls it).
  static int ReapEnded();

  // Handed-over children not reaped yet.
  static int PendingCount();

  static bool HandlerInstalled();

  ChildReaper() = delete;
};

namespace process_internal {
// In a freshly forked child: empties the table (async-signal-safe).
void ForgetReaperTableAfterFork();
}  // namespace process_internal

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_CHILD_REAPER_H_
