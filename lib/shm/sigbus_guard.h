// sigbus_guard.h
//
// Touching shared memory that a peer may shrink. A mapping of a POSIX shared
// memory object (or any file) stays as long as it was made, but once anyone
// who may write the object ftruncate()s it shorter, every access to a page
// past the new end raises SIGBUS, which kills the process. Checking the size
// first does not help: the peer can shrink it between the check and the
// access. `GuardAgainstShrinking()` runs the access with a SIGBUS guard that
// turns that fault into a status instead.
//
// Example (what `CopyCStringGuarded()` does):
//
//   size_t copied = 0;
//   absl::Status s = GuardAgainstShrinking("shared memory /shMemEx", [&] {
//     copied = CopyCString(memory.bytes(), out);
//   });
//   if (!s.ok()) return s;  // DataLoss: the object shrank under us
//
// Which accesses are safe: only those made inside `GuardAgainstShrinking()`
// (and `CopyCStringGuarded()`). `bytes()` and the unguarded helpers of
// bounded_read.h are bounds-checked but not shrink-safe: use them on memory
// only trusted processes can write (mode 0600, an object you created).
//
// The guard installs a process-wide SIGBUS handler on first use; a SIGBUS
// outside a guarded access still ends the process as before (the handler
// restores the default action). The access must be plain memory reads and
// writes: it is left by siglongjmp, so it must not hold locks, allocate, or
// own objects with destructors.

#ifndef IPCBOX_SHM_SIGBUS_GUARD_H_
#define IPCBOX_SHM_SIGBUS_GUARD_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

// Runs `access`. OK if it completed; DataLoss naming `what` if it touched a
// page past the end of its object (SIGBUS) and was cut short.
absl::Status GuardAgainstShrinking(absl::string_view what,
                                   absl::FunctionRef<void()> access);

}  // namespace ipcbox

#endif  // IPCBOX_SHM_SIGBUS_GUARD_H_
