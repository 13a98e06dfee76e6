// file_lock.h
//
// `FileLock` is the file lock this build uses, chosen with
// --//platforms:lock_backend (see platforms/BUILD.bazel): `OfdLock` where the
// kernel has OFD locks (x86_64 and aarch64 boards by default), `FcntlLock`
// where it may not (armv7), or `FlockLock` when asked for. Code that uses only
// what the three share compiles against any of them:
//
//   absl::StatusOr<FileLock> lock = FileLock::Open(path);
//   if (!lock.ok()) return lock.status();
//   absl::Status s = lock->LockFor(LockType::kExclusive, absl::Seconds(2));
//   if (IsTimedOut(s)) return absl::UnavailableError("another instance runs");
//   if (!s.ok()) return s;
//   ... critical section ...
//   return lock->Unlock();
//
// What they share (the concept):
//   static Open(path, LockFileOptions) and Adopt(Fd) -> StatusOr<FileLock>;
//   Lock(type), TryLock(type), LockFor(type, timeout), LockUntil(type,
//   deadline), Unlock(), with the same outcomes (OK, would-block, timed-out,
//   errors) and no allocation; fd(), valid(), created(), Release(), Close().
// Byte ranges and `FindConflict()` exist for the record locks only; code
// using them should name `FcntlLock` or `OfdLock`.
//
// Semantics that differ between backends (who owns a lock, what closing a
// descriptor or forking does, threads, conversion atomicity) are in each
// backend's header; code meant for any backend should take one lock object
// per thread and process, keep the object open while locked, and not share
// its descriptor.
//
// `kLockBackend` (platforms/selected_backends.h) says which one this is.

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
