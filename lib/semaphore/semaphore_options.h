// semaphore_options.h
//
// `SemaphoreOptions` say how a semaphore is created and used. One struct
// serves every backend, so that code written against the generic
// `ipcbox::Semaphore` (semaphore.h) compiles whichever backend the build
// picks; fields that only one backend knows are marked and ignored by the
// others.
//
// Example:
//
//   SemaphoreOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;  // default: kCreateExclusive
//   options.initial_value = 1;          // a lock: one holder at a time
//   absl::StatusOr<Semaphore> lock = Semaphore::Open(*name, options);
//
// Lock or signal? A semaphore used as a lock (the same process waits, then
// posts) wants a holder that dies mid-hold to give the lock back; System V
// can do that (SEM_UNDO, `undo_on_exit`, on by default). A semaphore used
// as a signal or a count (one process posts, another waits) must NOT have
// its posts undone when the poster exits: set `undo_on_exit = false` for
// that use. POSIX semaphores never undo anything: see lib/semaphore's
// README.md on recovering from a holder killed mid-hold.

#ifndef IPCBOX_SEMAPHORE_SEMAPHORE_OPTIONS_H_
#define IPCBOX_SEMAPHORE_SEMAPHORE_OPTIONS_H_

#include <limits.h>

#include "absl/time/time.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

// The largest value a POSIX semaphore holds (SEM_VALUE_MAX, INT_MAX on
// Linux); a post beyond it fails with EOVERFLOW.
inline constexpr unsigned kMaxPosixSemaphoreValue = SEM_VALUE_MAX;

// The largest value a System V semaphore holds (the kernel's SEMVMX, which
// the C library's headers do not export); a post beyond it fails with
// ERANGE.
inline constexpr unsigned kMaxSysvSemaphoreValue = 32767;

struct SemaphoreOptions {
  // What to do when the name is taken or free (ipcbox/core/open_mode.h).
  // Create exclusively by default: a semaphore belongs to the process that
  // creates it, and a peer opens it with kOpenExisting.
  OpenMode open_mode = OpenMode::kCreateExclusive;

  // The value a newly created semaphore starts with; ignored when an
  // existing one is opened. At most `kMaxPosixSemaphoreValue` or
  // `kMaxSysvSemaphoreValue`, else kInvalidArgument before any system call.
  unsigned initial_value = 0;

  // Access bits of a newly created named semaphore (0600 by default),
  // applied exactly, whatever the umask. Ignored when opening.
  Permissions permissions;

  // Named semaphores: an existing one this call opens (rather than creates)
  // must be owned by this user (or `ownership.allowed_owner`) and, with a
  // mode that may create, be no wider than `permissions`; else
  // PermissionDenied naming its owner and mode.
  OwnershipPolicy ownership;

  // System V only: every post and wait is made with SEM_UNDO, so that the
  // kernel reverts a process's net change when it exits, however it exits.
  // Right for a lock, wrong for a signal (see above). Caveat: the kernel
  // keeps the running total per process and semaphore within +-32767; a
  // process that only posts (or only waits) more often than that fails with
  // ERANGE. A signal-like semaphore must turn this off.
  bool undo_on_exit = true;

  // System V only: how long an opener waits for the set's creator to give
  // it its initial values (README.md, Initialisation).
  absl::Duration initialization_timeout = absl::Seconds(2);
};

}  // namespace ipcbox

#endif  // IPCBOX_SEMAPHORE_SEMAPHORE_OPTIONS_H_
