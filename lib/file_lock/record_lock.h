// record_lock.h
//
// `RecordLock` is the byte-range locking that fcntl record locks and OFD
// locks share; they differ only in the fcntl commands (F_SETLK... or
// F_OFD_SETLK...) and so in who owns a lock (`RecordLockOwner`: the process,
// or the open file description). `FcntlLock` and `OfdLock` are built on it
// (privately) and document its operations for their owner; code takes one
// of those, not a `RecordLock`.
//
// Example (an `OfdLock` is this, made by `OfdLock::Open()`):
//
//   RecordLock lock(*std::move(file), RecordLockOwner::kOpenFileDescription);
//   absl::Status s = lock.TryLock(LockType::kExclusive, ByteRange::Of(0, 64));
//   if (IsWouldBlock(s)) ...  // lock.FindConflict(...) says who is in the way

#ifndef IPCBOX_FILE_LOCK_RECORD_LOCK_H_
#define IPCBOX_FILE_LOCK_RECORD_LOCK_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

enum class RecordLockOwner {
  kProcess,              // F_SETLK, F_SETLKW, F_GETLK
  kOpenFileDescription,  // F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK
};

class RecordLock : public LockFile {
 public:
  RecordLock() = default;
  RecordLock(LockFile file, RecordLockOwner owner)
      : LockFile(std::move(file)), owner_(owner) {}
  RecordLock(RecordLock&&) = default;
  RecordLock& operator=(RecordLock&&) = default;

  absl::Status Lock(LockType type, ByteRange range = ByteRange::WholeFile());
  absl::Status TryLock(LockType type, ByteRange range = ByteRange::WholeFile());
  absl::Status LockFor(LockType type, absl::Duration timeout,
                       ByteRange range = ByteRange::WholeFile());
  absl::Status LockUntil(LockType type, Deadline deadline,
                         ByteRange range = ByteRange::WholeFile());
  absl::Status Unlock(ByteRange range = ByteRange::WholeFile());
  absl::StatusOr<std::optional<LockConflict>> FindConflict(
      LockType type, ByteRange range = ByteRange::WholeFile()) const;

 private:
  // LockFor() and LockUntil(): one F_SETLK first; only if the range is
  // taken is `make_deadline()` called and the wait backed off.
  template <typename MakeDeadline>
  absl::Status TimedLock(LockType type, ByteRange range,
                         MakeDeadline&& make_deadline);

  RecordLockOwner owner_ = RecordLockOwner::kProcess;
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_RECORD_LOCK_H_
