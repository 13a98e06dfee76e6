// lock_conflict.h
//
// `LockConflict` describes a lock that stands in the way of one asked for:
// what `FcntlLock::FindConflict()` and `OfdLock::FindConflict()` report
// (F_GETLK, F_OFD_GETLK). It is a snapshot: by the time the caller reads it
// the holder may have let go, or another may have taken its place.
//
// Example (the seed consumer's check, with a useful message):
//
//   absl::StatusOr<std::optional<LockConflict>> conflict =
//       lock.FindConflict(LockType::kShared);
//   if (!conflict.ok()) return conflict.status();
//   if (conflict->has_value()) {
//     std::fprintf(stderr, "locked by pid %d\n", (*conflict)->pid);
//   }

#ifndef IPCBOX_FILE_LOCK_LOCK_CONFLICT_H_
#define IPCBOX_FILE_LOCK_LOCK_CONFLICT_H_

#include <sys/types.h>

#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

// The pid reported for a lock whose owner is an open file description (an
// OFD lock) rather than a process: the kernel does not know which of the
// processes sharing the description "holds" it, and reports -1.
inline constexpr pid_t kOpenFileDescriptionOwner = -1;

struct LockConflict {
  // The type of the lock in the way. A request for a shared lock is only
  // ever in conflict with an exclusive one.
  LockType type = LockType::kExclusive;
  // The bytes it covers; length 0 means up to the largest offset. It is one
  // of the conflicting locks; others may cover other parts of the range
  // asked about.
  ByteRange range;
  // For a classic fcntl lock, the holder's process id as our pid namespace
  // sees it (0 if the holder lives in a namespace we cannot see into). For
  // an OFD lock, `kOpenFileDescriptionOwner` (-1).
  pid_t pid = kOpenFileDescriptionOwner;
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_LOCK_CONFLICT_H_
