// flock_lock.h
//
// `FlockLock` is a file opened for locking with flock(2): a shared or
// exclusive lock on the whole file, taken at once, waited for, or waited for
// until a deadline. It is what util-linux flock(1) takes, so shell scripts
// and ipcbox programs can exclude each other:
//
//   flock -x /run/app.lock -c 'update-things'     # a script
//
//   absl::StatusOr<FlockLock> lock = FlockLock::Open("/run/app.lock");
//   absl::Status s = lock->LockFor(LockType::kExclusive, absl::Seconds(5));
//   if (IsTimedOut(s)) ...                         // the script is running
//
// Like an OFD lock, it belongs to the open file description. Unlike record
// locks it has no byte ranges and no holder query, ignores the access mode,
// does not see fcntl/OFD locks (except on NFS), and converts a held lock
// non-atomically. Outcomes and timeouts as for `FcntlLock`; lib/file_lock's
// README.md has the details. Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_FILE_LOCK_FLOCK_LOCK_H_
#define IPCBOX_FILE_LOCK_FLOCK_LOCK_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

class FlockLock : private LockFile {
 public:
  // What names the file to lock (the generic `FileLock` contract).
  using Id = absl::string_view;
  using Options = LockFileOptions;

  // A lock that is not open; every operation fails with kFailedPrecondition.
  FlockLock() = default;

  // Opens (or creates) `path`; each `Open()` is an independent lock owner.
  // Errors as for `FcntlLock::Open()`.
  static absl::StatusOr<FlockLock> Open(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions());
  // `Open()` with `options.open_mode` set to kCreateExclusive, or to
  // kOpenExisting.
  static absl::StatusOr<FlockLock> Create(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kCreateExclusive, options));
  }
  static absl::StatusOr<FlockLock> OpenExisting(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions()) {
    return Open(path, WithOpenMode(OpenMode::kOpenExisting, options));
  }

  // Takes ownership of `fd`; any open descriptor will do (a directory's
  // too).
  static absl::StatusOr<FlockLock> Adopt(Fd fd);

  FlockLock(FlockLock&&) = default;
  FlockLock& operator=(FlockLock&&) = default;

  // Takes a `type` lock on the file, waiting as long as it takes.
  absl::Status Lock(LockType type);
  // Takes it if nobody else holds a conflicting lock, else returns
  // `WouldBlockError()` at once (LOCK_NB).
  absl::Status TryLock(LockType type);
  // Waits at most `timeout` (or until `deadline`), then `TimedOutError()`,
  // trying again with a back-off (lib/core's README.md, "Waiting with a
  // deadline"). A zero timeout or an expired deadline tries once.
  absl::Status LockFor(LockType type, absl::Duration timeout);
  absl::Status LockUntil(LockType type, Deadline deadline);
  // Releases the lock (for every copy of the description); succeeds when
  // none was held.
  absl::Status Unlock();

  // The descriptor, still owned.
  using LockFile::fd;
  using LockFile::valid;
  // Whether `Open()` created the file (false after `Adopt()`).
  using LockFile::created;
  // Gives up the descriptor; the lock stays with the description.
  using LockFile::Release;
  // Closes the descriptor now and reports close()'s error.
  using LockFile::Close;

 private:
  explicit FlockLock(LockFile file) : LockFile(std::move(file)) {}

  // After LockFor()/LockUntil() found the lock taken.
  absl::Status WaitAfterConflict(LockType type, Deadline deadline);
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_FLOCK_LOCK_H_
