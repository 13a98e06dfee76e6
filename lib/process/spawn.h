// spawn.h
//
// `Spawn()` starts a program described by a `Command` and returns the
// `Child` that owns it.
//
// Example (the ALP dup2 pattern: feed lines to sort, let it print them):
//
//   Command sort({"sort"});
//   sort.SetStdin(Stdio::Pipe());                 // stdout inherited
//   absl::StatusOr<Child> child = Spawn(sort);
//   if (!child.ok()) return child.status();
//   (void)child->stdin_writer().WriteAll("b\na\n");
//   (void)child->stdin_writer().Close();          // sort sees end-of-file
//   absl::StatusOr<ExitStatus> status = child->Wait();
//
// Everything is prepared in the parent, then posix_spawn() starts the child
// (no copy of the parent's memory). The child starts with an empty signal
// mask and SIGPIPE and SIGCHLD at their defaults. A bad `Command` is
// kInvalidArgument, a program not found kNotFound, one not executable
// kPermissionDenied, all before any child exists. lib/process's README.md has
// the details, and what qemu-user changes.

#ifndef IPCBOX_PROCESS_SPAWN_H_
#define IPCBOX_PROCESS_SPAWN_H_

#include "absl/status/statusor.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"

namespace ipcbox {

absl::StatusOr<Child> Spawn(const Command& command);

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_SPAWN_H_
