// ofd_lock.h
//
// `OfdLock` is a file opened for locking with open file description locks
// (fcntl F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK; Linux 3.15 and later): the
// same byte-range operations as `FcntlLock`, but the lock belongs to the
// open file description that `Open()` created, not to the process. That
// removes the classic pitfalls:
//   - closing some other descriptor of the same file releases nothing;
//   - two `OfdLock`s opened separately exclude each other even within one
//     process, so threads can use them (one object per thread, each its own
//     `Open()`).
// and brings the semantics of flock() to byte ranges:
//   - the lock is shared by every descriptor of the description: dup()ed
//     copies and the copies a fork()ed child inherits. Such a child holds the
//     lock too: it stays held until every copy is closed or someone unlocks
//     it through any copy (the child's `Unlock()` unlocks it for the parent).
//     O_CLOEXEC keeps it from leaking into programs the process execs.
//   - the kernel knows no holder pid: `FindConflict()` reports pid -1
//     (`kOpenFileDescriptionOwner`) for an OFD lock in the way, and the real
//     pid for a classic fcntl lock in the way.
// OFD and classic record locks on the same file see and exclude each other,
// so an `OfdLock` interoperates with programs using plain fcntl locks (the
// seed's C programs); flock() locks are separate from both.
//
// Example (a thread updates record `i` while others update theirs):
//
//   absl::StatusOr<OfdLock> lock = OfdLock::Open(path);  // one per thread
//   ByteRange record = ByteRange::Of(i * kRecordSize, kRecordSize);
//   absl::Status s = lock->LockFor(LockType::kExclusive, absl::Seconds(1),
//   record); if (IsTimedOut(s)) ...
//   ... pwrite(lock->fd(), ..., i * kRecordSize) ...
//   s = lock->Unlock(record);
//
// Outcomes, ranges, timeouts, allocation: as for `FcntlLock` (fcntl_lock.h),
// except that no deadlock detection is done for OFD locks. A kernel older
// than 3.15 fails every call with EINVAL, and the message says why.
//
// Destroying an `OfdLock` closes its descriptor, which releases the lock
// once no other copy of the description is left. Not thread-safe for
// concurrent use of one object.

#ifndef IPCBOX_FILE_LOCK_OFD_LOCK_H_
#define IPCBOX_FILE_LOCK_OFD_LOCK_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/internal/record_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

class OfdLock : private file_lock_internal::RecordLock {
 public:
  // A lock that is not open; every operation fails with kFailedPrecondition.
  OfdLock() = default;

  // Opens (or creates) `path`, making a new open file description: each
  // `Open()` gives an independent lock owner, even in one process.
  // Errors as for `FcntlLock::Open()`.
  static absl::StatusOr<OfdLock> Open(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions());

  // Takes ownership of `fd`. Its locks are those of its open file
  // description, shared with every other copy of it.
  static absl::StatusOr<OfdLock> Adopt(Fd fd);

  OfdLock(OfdLock&&) = default;
  OfdLock& operator=(OfdLock&&) = default;

  // As `FcntlLock`'s, with this description as the owner.
  using RecordLock::Lock;
  using RecordLock::LockFor;
  using RecordLock::LockUntil;
  using RecordLock::TryLock;
  using RecordLock::Unlock;
  // Reports locks held through other open file descriptions (in this
  // process or another) and classic locks of other processes.
  using RecordLock::FindConflict;

  using RecordLock::Close;
  using RecordLock::created;
  using RecordLock::fd;
  using RecordLock::Release;
  using RecordLock::valid;

 private:
  explicit OfdLock(RecordLock lock) : RecordLock(std::move(lock)) {}
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_OFD_LOCK_H_
