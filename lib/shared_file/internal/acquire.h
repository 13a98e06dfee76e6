// acquire.h
//
// Internal to //lib/shared_file: taking the whole-file lock, or finding out
// who holds it.
//
// Example (`SharedFileWriter::Write()` before it writes):
//
//   absl::StatusOr<Acquisition> got =
//       AcquireOrFindHolder(lock_, LockType::kExclusive, deadline);
//   if (!got.ok()) return got.status();
//   if (!got->acquired) ...  // WriteState::kLocked, by got->holder if known

#ifndef IPCBOX_SHARED_FILE_INTERNAL_ACQUIRE_H_
#define IPCBOX_SHARED_FILE_INTERNAL_ACQUIRE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {
namespace shared_file_internal {

struct Acquisition {
  bool acquired = false;
  // When not acquired: the lock in the way, if it was still there when
  // asked.
  std::optional<LockConflict> holder;
};

// Takes a `type` lock on the whole file by `deadline`. If that fails because
// another process holds a conflicting lock, asks who (F_GETLK). A holder
// that let go in between the two calls gets us a few more tries, so that a
// free file is not reported locked by nobody. No allocation unless a system
// call fails.
absl::StatusOr<Acquisition> AcquireOrFindHolder(FcntlLock& lock, LockType type,
                                                Deadline deadline);

}  // namespace shared_file_internal
}  // namespace ipcbox

#endif  // IPCBOX_SHARED_FILE_INTERNAL_ACQUIRE_H_
