// find_program.h
//
// Internal to lib/process: finds the file a command's argv[0] names, in the
// parent, before anything is started. Done there rather than by
// execvp()/posix_spawnp() in the child so that "no such program" is a clear
// status from `Spawn()` with no child created, on every system (qemu-user
// emulates posix_spawn's vfork as a fork, and an exec failure then only
// shows as exit code 127), and so the child has no PATH to walk.
//
// Example (what `Spawn()` does before it starts anything):
//
//   absl::StatusOr<std::string> program = FindProgram("sort", "/usr/bin:/bin");
//   if (!program.ok()) return program.status();  // kNotFound: no child made
//   ::posix_spawn(&pid, program->c_str(), ...);  // "/usr/bin/sort"

#ifndef IPCBOX_PROCESS_INTERNAL_FIND_PROGRAM_H_
#define IPCBOX_PROCESS_INTERNAL_FIND_PROGRAM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {
namespace process_internal {

// `program` itself if it holds a slash, else the first executable regular
// file named `program` in the colon-separated `search_path` (an empty entry
// is the current directory). kNotFound if there is none; kPermissionDenied
// if the file exists but cannot be executed (not executable, a directory).
absl::StatusOr<std::string> FindProgram(absl::string_view program,
                                        absl::string_view search_path);

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_FIND_PROGRAM_H_
