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
// How: everything is prepared in the parent (program found in PATH, argv
// and envp built, pipes and /dev/null opened, all close-on-exec), then
// posix_spawn() starts the child with file actions that dup2() the prepared
// descriptors onto 0, 1 and 2. glibc implements posix_spawn with
// clone(CLONE_VM | CLONE_VFORK): no copy of the parent's memory, and nothing
// allocated between the clone and the exec. A parent's descriptors that are
// not close-on-exec are inherited, as with fork+exec; ipcbox opens all of
// its own close-on-exec.
//
// The child starts with an empty signal mask (a parent that blocks SIGTERM
// to read it from a signalfd would otherwise make its children immune to
// SIGTERM), and with SIGPIPE and SIGCHLD at their default actions if the
// parent ignored them (programs such as `yes | head` expect SIGPIPE to end
// them; programs that wait for their own children need SIGCHLD). Other
// ignored signals stay ignored, as nohup and shells rely on.
//
// Errors: a bad `Command` is kInvalidArgument; a program that cannot be
// found is kNotFound and one that cannot be executed kPermissionDenied,
// both before any child exists. An exec that fails later (a file that is
// not a valid executable, ENOEXEC) is posix_spawn()'s error status, with the
// child already reaped. Under qemu-user, which emulates the vfork as a fork,
// posix_spawn cannot see that failure: the child exits with code 127
// instead, like a shell's "command not found".

#ifndef IPCBOX_PROCESS_SPAWN_H_
#define IPCBOX_PROCESS_SPAWN_H_

#include "absl/status/statusor.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"

namespace ipcbox {

absl::StatusOr<Child> Spawn(const Command& command);

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_SPAWN_H_
