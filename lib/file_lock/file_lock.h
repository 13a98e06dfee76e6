// file_lock.h
//
// `FileLock` is the file lock this build uses, chosen with
// --//platforms:lock_backend: `OfdLock` where the kernel has OFD locks
// (x86_64 and aarch64 boards by default), `FcntlLock` where it may not
// (armv7), or `FlockLock` when asked for; `kLockBackend` says which. Code
// that uses only what the three share compiles against any of them; what
// they share is file_lock_contract.h, checked on all three when the library
// builds: `Open()`, `Create()`, `OpenExisting()`, `Adopt()`, `Lock()`,
// `TryLock()`, `LockFor()`, `LockUntil()`, `Unlock()`, `fd()`, `valid()`,
// `created()`, `Release()`, `Close()`.
//
//   absl::StatusOr<FileLock> lock = FileLock::Open(path);
//   if (!lock.ok()) return lock.status();
//   absl::Status s = lock->LockFor(LockType::kExclusive, absl::Seconds(2));
//   if (IsTimedOut(s)) return absl::FailedPreconditionError("another runs");
//   if (!s.ok()) return s;
//   ... critical section ...
//   return lock->Unlock();
//
// Code meant for any backend takes one lock object per thread and process,
// keeps it open while locked, and does not share its descriptor (the
// backends differ there: lib/file_lock's README.md).

#ifndef IPCBOX_FILE_LOCK_FILE_LOCK_H_
#define IPCBOX_FILE_LOCK_FILE_LOCK_H_

#include "platforms/selected_backends.h"

#if defined(IPCBOX_LOCK_BACKEND_FCNTL)
#include "ipcbox/file_lock/fcntl_lock.h"
#elif defined(IPCBOX_LOCK_BACKEND_OFD)
#include "ipcbox/file_lock/ofd_lock.h"
#elif defined(IPCBOX_LOCK_BACKEND_FLOCK)
#include "ipcbox/file_lock/flock_lock.h"
#endif

#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {

#if defined(IPCBOX_LOCK_BACKEND_FCNTL)
using FileLock = FcntlLock;
#elif defined(IPCBOX_LOCK_BACKEND_OFD)
using FileLock = OfdLock;
#elif defined(IPCBOX_LOCK_BACKEND_FLOCK)
using FileLock = FlockLock;
#endif

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_FILE_LOCK_H_
