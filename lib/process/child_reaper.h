// child_reaper.h
//
// `ChildReaper` reaps children that the program no longer waits for, so that
// none of them stays a zombie (an ended process whose exit status nobody
// collected; it holds its pid and a process-table slot until reaped, and a
// long-running daemon that leaks them eventually cannot fork).
//
// A `Child` that is detached, or destroyed while running with
// `WhenDestroyedRunning::kLeaveToReaper`, is handed over here:
//
//   child.Detach();   // or: child.set_when_destroyed(kLeaveToReaper)
//   // ...the child keeps running; when it ends, SIGCHLD reaps it.
//
// How: the first hand-over installs a SIGCHLD handler for the rest of the
// process's life. The handler calls waitpid(pid, WNOHANG) for each handed
// over pid, and for nothing else: children that `Child` objects (or the
// program's own code) wait for are never touched, so their statuses are not
// stolen, as a waitpid(-1) loop would steal them. The table is a fixed array
// of lock-free atomics (`kCapacity` entries), so the handler is
// async-signal-safe and nothing allocates. A handler the program had
// installed for SIGCHLD before is kept and called after ours.
//
// If the program ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT), the kernel reaps
// every child itself and no handler is installed. If the program blocks
// SIGCHLD in every thread (it takes it through a signalfd, say), the handler
// never runs: call `ReapEnded()` when SIGCHLD arrives.
//
// Caveats a program must know: installing a handler makes SIGCHLD
// interrupt blocking calls that do not restart (poll, sleeps) with EINTR,
// as any SIGCHLD handler does; and a handler the program installs for
// SIGCHLD *after* the first hand-over replaces ours (call `ReapEnded()` from
// it). A forked child starts with an empty table (its parent's children are
// not its own).

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

  // Whether the SIGCHLD handler is installed.
  static bool HandlerInstalled();

  ChildReaper() = delete;
};

namespace process_internal {
// In a freshly forked child: empties the table (async-signal-safe).
void ForgetReaperTableAfterFork();
}  // namespace process_internal

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_CHILD_REAPER_H_
