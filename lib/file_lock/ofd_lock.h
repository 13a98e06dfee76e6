// ofd_lock.h
//
// `OfdLock` is a file opened for locking with open file description locks
// (fcntl F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK; Linux 3.15 and later): the
// byte-range operations of `FcntlLock`, but the lock belongs to the open file
// description that `Open()` created, not to the process. Closing another
// descriptor of the file releases nothing, and separate `OfdLock`s exclude
// each other even between threads of one process. OFD and classic record
// locks on one file exclude each other, so the seed's C programs interoperate.
//
// Example (a thread updates record `i` while others update theirs):
//
//   absl::StatusOr<OfdLock> lock = OfdLock::Open(path);  // one per thread
//   ByteRange record = ByteRange::Of(i * kRecordSize, kRecordSize);
//   absl::Status s =
//       lock->LockFor(LockType::kExclusive, absl::Seconds(1), record);
//   if (IsTimedOut(s)) ...
//   ... pwrite(lock->fd(), ..., i * kRecordSize) ...
//   s = lock->Unlock(record);
//
// dup()ed and fork()-inherited copies of the descriptor share the lock;
// `FindConflict()` reports pid -1 for an OFD holder. Outcomes as for
// `FcntlLock`, without deadlock detection; lib/file_lock's README.md has the
// details. Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_FILE_LOCK_OFD_LOCK_H_
#define IPCBOX_FILE_LOCK_OFD_LOCK_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/record_lock.h"

namespace ipcbox {

class OfdLock : private RecordLock {
 public:
  // What names the file to lock (the generic `FileLock` contract).
  using Id = absl::string_view;
  using Options = LockFileOptions;

  // A lock that is not open; every operation fails with kFailedPrecondition.
  OfdLock() = default;

  // Opens (or creates) `path`, making a new open file description: each
  // `Open()` gives an independent lock owner, even in one process.
  // Errors as for `FcntlLock::Open()`.
  static absl::StatusOr<OfdLock> Open(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions());
  // `Open()` with `options.open_mode` set to kCreateExclusive, or to
  // kOpenExisting.
  static absl::StatusOr<OfdLock> Create(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kCreateExclusive, options));
  }
  static absl::StatusOr<OfdLock> OpenExisting(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kOpenExisting, options));
  }

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
