// semaphore.h
//
// `ipcbox::Semaphore` is the semaphore of the IPC flavour this build uses
// (--//platforms:ipc_flavor, see platforms/BUILD.bazel): a POSIX named
// semaphore (posix::NamedSemaphore) on POSIX boards, a one-semaphore System
// V set (sysv::Semaphore) on System V ones. Write code against this name and
// it builds for either, linking only the chosen backend.
//
// Example:
//
//   SemaphoreOptions options;
//   options.initial_value = 1;
//   absl::StatusOr<Semaphore> lock = Semaphore::Open(
//       "/camera-lock", OpenMode::kOpenOrCreate, options);
//   if (!lock.ok()) return lock.status();
//   if (absl::Status s = lock->WaitFor(absl::Seconds(1)); !s.ok()) return s;
//   ...
//   return lock->Post();
//
// What both provide: `Open(name, mode, options)` (name as a string or a
// `PosixName`), `Post()`, `Wait()`, `TryWait()`, `WaitUntil(Deadline)`,
// `WaitFor(Duration)`, `Value()`, `Remove()`, `Disown()`, `created()`,
// `is_open()`, and the same outcomes (would-block, timed-out, kNotFound,
// ...).
//
// Where they differ, and portable code must not depend on either:
//   - a holder killed mid-hold: System V gives its wait back (with
//     `undo_on_exit`, the default), POSIX does not (see
//     posix_named_semaphore.h for the recovery);
//   - a signal-like semaphore must set `undo_on_exit = false`, which POSIX
//     ignores (see semaphore_options.h);
//   - the largest value: SEM_VALUE_MAX (2^31 - 1) against 32767;
//   - System V turns the name into a key by hashing it
//     (sysv::IpcKey::FromName); `ipcs -s` shows the key, not the name.

#ifndef IPCBOX_SEMAPHORE_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_SEMAPHORE_H_

#include "ipcbox/semaphore/semaphore_options.h"
#include "platforms/selected_backends.h"

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
#include "ipcbox/semaphore/posix_named_semaphore.h"
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
#include "ipcbox/semaphore/sysv_semaphore.h"
#endif

namespace ipcbox {

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
using Semaphore = posix::NamedSemaphore;
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
using Semaphore = sysv::Semaphore;
#endif

}  // namespace ipcbox

#endif  // IPCBOX_SEMAPHORE_SEMAPHORE_H_
