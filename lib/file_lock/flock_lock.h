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
// Like an OFD lock (ofd_lock.h), a flock lock belongs to the open file
// description: separate `Open()`s exclude each other even between threads
// of one process; dup()ed and fork()-inherited copies of the descriptor
// share the lock, and it is released when the last copy is closed or when
// any copy unlocks it. Unlike record locks:
//   - there are no byte ranges and no query of who holds the lock (the
//     kernel reports flock holders only through /proc/locks; see lslocks);
//   - the access mode does not matter: a read-only descriptor can hold an
//     exclusive lock;
//   - flock and fcntl/OFD locks do not see each other on Linux's local file
//     systems (on NFS, flock is emulated with fcntl locks, ranges and all);
//   - converting a held lock (shared to exclusive or back) is not atomic:
//     the kernel releases the old lock, then waits for the new one, so
//     another process may take the file in between;
//   - no deadlock detection.
//
// Outcomes (OK, `IsWouldBlock()` from `TryLock()`, `IsTimedOut()` from the
// timed calls, errors that name the call), allocation (none unless failing),
// EINTR and timeouts (a per-thread timer signal, see timeout_signal.h):
// as for `FcntlLock`.
//
// Destroying a `FlockLock` closes its descriptor, which releases the lock
// once no other copy of the description is left. Not thread-safe for
// concurrent use of one object.

#ifndef IPCBOX_FILE_LOCK_FLOCK_LOCK_H_
#define IPCBOX_FILE_LOCK_FLOCK_LOCK_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/internal/lock_file.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

class FlockLock : private file_lock_internal::LockFile {
 public:
  // A lock that is not open; every operation fails with kFailedPrecondition.
  FlockLock() = default;

  // Opens (or creates) `path`; each `Open()` is an independent lock owner.
  // Errors as for `FcntlLock::Open()`.
  static absl::StatusOr<FlockLock> Open(
      absl::string_view path,
      const LockFileOptions& options = LockFileOptions());

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
  // Waits at most `timeout` (or until `deadline`), then `TimedOutError()`.
  // A zero timeout or an expired deadline tries once.
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
