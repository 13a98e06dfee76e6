// fcntl_lock.h
//
// `FcntlLock` is a file opened for locking with classic POSIX record locks
// (fcntl F_SETLK, F_SETLKW, F_GETLK): shared or exclusive, over the whole
// file or a byte range, taken at once, waited for, or waited for until a
// deadline; and a query that says who holds a lock in the way. The seed's
// producer and consumer use these; they are the only kind POSIX specifies,
// and the kind that works over NFS.
//
// Example (the seed's producer):
//
//   absl::StatusOr<FcntlLock> lock = FcntlLock::Open("data.dat");
//   if (!lock.ok()) return lock.status();
//   absl::Status s = lock->TryLock(LockType::kExclusive);
//   if (IsWouldBlock(s)) {
//     absl::StatusOr<std::optional<LockConflict>> holder =
//         lock->FindConflict(LockType::kExclusive);
//     ...                                    // "locked by pid N"
//   }
//   if (!s.ok()) return s;
//   ::write(lock->fd(), data, size);         // under the lock
//   s = lock->Unlock();
//
// The lock belongs to the process, not to this object: closing ANY
// descriptor of the file in this process releases ALL of its locks on it,
// and threads share them. Keep one open file per locked file and process,
// do all I/O through `fd()`, and use `OfdLock` between threads. See
// lib/file_lock's README.md for the outcomes and the ownership rules.

#ifndef IPCBOX_FILE_LOCK_FCNTL_LOCK_H_
#define IPCBOX_FILE_LOCK_FCNTL_LOCK_H_

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

class FcntlLock : private RecordLock {
 public:
  // What names the file to lock (the generic `FileLock` contract).
  using Id = absl::string_view;
  using Options = LockFileOptions;

  // A lock that is not open; every operation fails with kFailedPrecondition.
  // Moved-from and closed locks are in this state.
  FcntlLock() = default;

  // Opens (or creates) the file at `path` for locking. Fails with kNotFound
  // (kOpenExisting and no file), kAlreadyExists (kCreateExclusive and a
  // file is there), kFailedPrecondition (a symbolic link or not a regular
  // file), or open()'s error (EACCES...). Holds no lock yet.
  static absl::StatusOr<FcntlLock> Open(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions());
  // `Open()` with `options.open_mode` set to kCreateExclusive, or to
  // kOpenExisting.
  static absl::StatusOr<FcntlLock> Create(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kCreateExclusive, options));
  }
  static absl::StatusOr<FcntlLock> OpenExisting(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kOpenExisting, options));
  }

  // Takes ownership of `fd`, open on the file to lock. Fails with
  // kInvalidArgument if it is empty or not an open descriptor.
  static absl::StatusOr<FcntlLock> Adopt(Fd fd);

  FcntlLock(FcntlLock&&) = default;
  FcntlLock& operator=(FcntlLock&&) = default;

  // Takes a `type` lock on `range`, waiting as long as it takes (F_SETLKW).
  using RecordLock::Lock;
  // Takes it if no other process holds a conflicting lock, else returns
  // `WouldBlockError()` at once (F_SETLK).
  using RecordLock::TryLock;
  // Waits at most `timeout` (or until `deadline`), then returns
  // `TimedOutError()`. A zero timeout or expired deadline tries once, as
  // `TryLock()` does, but says timed-out rather than would-block. A taken
  // lock is tried again with a back-off, not waited for in the kernel
  // (lib/core's README.md, "Waiting with a deadline"); no signal is used.
  using RecordLock::LockFor;
  using RecordLock::LockUntil;
  // Releases this process's locks on `range` (the whole file by default);
  // succeeds when there was nothing to release.
  using RecordLock::Unlock;
  // Whether a lock held by another process would stop this process from
  // taking a `type` lock on `range` (F_GETLK), and if so which: its type,
  // range and holder pid (-1 if it is an OFD lock; see lock_conflict.h).
  // std::nullopt: nothing in the way right now. Needs no particular access
  // mode.
  using RecordLock::FindConflict;

  // The descriptor, still owned: read and write the locked file through it.
  using RecordLock::fd;
  using RecordLock::valid;
  // Whether `Open()` created the file (false after `Adopt()`).
  using RecordLock::created;
  // Gives up the descriptor; the locks stay with the process, and go when
  // any descriptor of the file is closed.
  using RecordLock::Release;
  // Closes the descriptor now, releasing every lock the process has on the
  // file, and reports close()'s error.
  using RecordLock::Close;

 private:
  explicit FcntlLock(RecordLock lock) : RecordLock(std::move(lock)) {}
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_FCNTL_LOCK_H_
