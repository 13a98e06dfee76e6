// anonymous_mapping.h
//
// `MapAnonymousShared()` makes shared memory with no name and no file: a
// MAP_SHARED | MAP_ANONYMOUS mapping, zero-filled, that a parent creates
// before fork() and then shares with its children. It is the simplest shared
// memory there is for related processes: nothing to name, nothing to remove,
// nothing left behind when the last process exits (ALP's mmap of /dev/zero
// does the same the old way).
//
// Example:
//
//   absl::StatusOr<Mapping> shared = MapAnonymousShared(sizeof(Counters));
//   if (!shared.ok()) return shared.status();
//   pid_t pid = fork();
//   if (pid == 0) {
//     // The child writes into shared->mutable_bytes(); the parent sees it.
//   }
//
// Unrelated processes cannot reach it: use POSIX or System V shared memory
// (lib/shm) for those.

#ifndef IPCBOX_MAPPED_FILE_ANONYMOUS_MAPPING_H_
#define IPCBOX_MAPPED_FILE_ANONYMOUS_MAPPING_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "ipcbox/mapped_file/mapping.h"

namespace ipcbox {

// Maps `length` zeroed, read-write bytes shared with the processes this one
// forks afterwards. `length` 0 is InvalidArgument; more than the system will
// give is ResourceExhausted.
absl::StatusOr<Mapping> MapAnonymousShared(size_t length);

}  // namespace ipcbox

#endif  // IPCBOX_MAPPED_FILE_ANONYMOUS_MAPPING_H_
