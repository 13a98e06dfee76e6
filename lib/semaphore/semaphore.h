// semaphore.h
//
// `ipcbox::Semaphore` is the semaphore of the IPC flavour this build uses
// (--//platforms:ipc_flavor): `posix::NamedSemaphore` on POSIX boards, a
// one-semaphore System V set (`sysv::Semaphore`) on System V ones. Code
// written against it builds for either, linking only the chosen backend.
// Every backend keeps the contract of semaphore_contract.h (checked when
// the library builds): `Open(name, options)` with `options.open_mode`,
// `Create()`, `OpenExisting()`, `Post()`, `Wait()`, `TryWait()`,
// `WaitUntil()`, `WaitFor()`, `Value()`, `Remove()`, `Disown()`, `created()`,
// `is_open()`, with the same outcomes.
//
// Example:
//
//   SemaphoreOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   options.initial_value = 1;
//   absl::StatusOr<Semaphore> lock = Semaphore::Open("/camera-lock", options);
//   if (!lock.ok()) return lock.status();
//   if (absl::Status s = lock->WaitFor(absl::Seconds(1)); !s.ok()) return s;
//   ...
//   return lock->Post();
//
// Portable code must not depend on where they differ (a holder killed
// mid-hold, `undo_on_exit`, the largest value, names versus keys): see
// lib/semaphore's README.md.

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
