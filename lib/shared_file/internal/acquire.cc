#include "ipcbox/shared_file/internal/acquire.h"

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {
namespace shared_file_internal {

absl::StatusOr<Acquisition> AcquireOrFindHolder(FcntlLock& lock, LockType type,
                                                Deadline deadline) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    const absl::Status locked = lock.LockUntil(type, deadline);
    if (locked.ok()) return Acquisition{true, std::nullopt};
    if (!IsTimedOut(locked) && !IsWouldBlock(locked)) return locked;
    absl::StatusOr<std::optional<LockConflict>> conflict =
        lock.FindConflict(type);
    if (!conflict.ok()) return conflict.status();
    if (conflict->has_value() || attempt == kAttempts) {
      return Acquisition{false, *conflict};
    }
    // Nobody in the way any more: try again (once, if the deadline passed).
  }
}

}  // namespace shared_file_internal
}  // namespace ipcbox
