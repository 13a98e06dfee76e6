// process_group.h
//
// Internal to lib/process: whether a process group still has a running
// member. kill(-pgid, 0) alone cannot tell: a member that has ended but not
// been reaped (a zombie) still counts for it, and a grandchild's zombie is
// reaped by whoever adopts orphans (init, a subreaper), whenever that gets
// round to it. So when kill() says the group exists, /proc is read to see
// whether any member is more than a zombie.
//
// Example (`ShutDownGroupOf()` waiting for the group to end):
//
//   absl::StatusOr<bool> running = GroupHasRunningMember(pgid);
//   if (!running.ok()) return running.status();
//   if (!*running) return true;           // zombies only, or nobody left
//   if (!backoff.Wait(deadline)) ...      // ipcbox/core/backoff.h

#ifndef IPCBOX_PROCESS_INTERNAL_PROCESS_GROUP_H_
#define IPCBOX_PROCESS_INTERNAL_PROCESS_GROUP_H_

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace ipcbox {
namespace process_internal {

// True while some process in group `pgid` has not ended. Reads /proc with
// stack buffers: no allocation unless it fails.
absl::StatusOr<bool> GroupHasRunningMember(pid_t pgid);

// The state letter and process group of `pid` from /proc/<pid>/stat
// ('R', 'S', 'Z', ...), or false if it cannot be read (the process is gone).
// `proc_dir` is an open descriptor of /proc, or -1.
bool ReadProcessState(int proc_dir, pid_t pid, char* state, pid_t* pgid);

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_PROCESS_GROUP_H_
