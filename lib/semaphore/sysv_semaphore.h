// sysv_semaphore.h
//
// `sysv::Semaphore` is one System V semaphore (a set of one) with the post /
// wait / try-wait / timed wait / value surface of the POSIX semaphores, so it
// can stand behind `ipcbox::Semaphore` on boards without POSIX semaphores.
// With `undo_on_exit` (the default) the kernel reverts a process's posts and
// waits when it exits, so a lock whose holder is killed is given back.
//
// Example, a lock that survives a crashed holder:
//
//   SemaphoreOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   options.initial_value = 1;                        // free
//   absl::StatusOr<sysv::Semaphore> lock =
//       sysv::Semaphore::Open(*sysv::IpcKey::FromValue(0x1f00), options);
//   if (absl::Status s = lock->WaitFor(absl::Seconds(1)); !s.ok()) return s;
//   ... critical section; if the process dies here the lock is released ...
//   lock->Post();
//
// For a signal (one process posts, another waits), set
// `options.undo_on_exit = false`, or the poster's posts vanish when it exits.
// Ownership, initialisation and removal are `SemaphoreSet`'s. Timed waits use
// semtimedop (CLOCK_MONOTONIC); the hot calls never allocate.

#ifndef IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_H_

#include <sys/sem.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore_set.h"

namespace ipcbox::sysv {

class Semaphore {
 public:
  // An empty object: every operation fails with kFailedPrecondition.
  Semaphore() = default;

  // Opens or creates the set for `key` (semaphore 0 of it). Errors as for
  // `SemaphoreSet::Open()`; an initial value above kMaxSysvSemaphoreValue
  // is kInvalidArgument.
  static absl::StatusOr<Semaphore> Open(
      IpcKey key, const SemaphoreOptions& options = SemaphoreOptions());

  // The same with the key `IpcKey::FromName(name)`, so that code
  // written for named semaphores builds against System V. The name follows
  // the rules of POSIX semaphore names (kMaxSemaphoreNameLength).
  static absl::StatusOr<Semaphore> Open(
      const PosixName& name,
      const SemaphoreOptions& options = SemaphoreOptions());
  // `Open(id, options)` with `options.open_mode` set to kCreateExclusive,
  // or to kOpenExisting; `id` is anything `Open()` takes.
  template <typename Id>
  static absl::StatusOr<Semaphore> Create(
      const Id& id, const SemaphoreOptions& options = SemaphoreOptions()) {
    return Open(id, WithOpenMode(OpenMode::kCreateExclusive, options));
  }
  template <typename Id>
  static absl::StatusOr<Semaphore> OpenExisting(
      const Id& id, const SemaphoreOptions& options = SemaphoreOptions()) {
    return Open(id, WithOpenMode(OpenMode::kOpenExisting, options));
  }
  static absl::StatusOr<Semaphore> Open(
      absl::string_view name,
      const SemaphoreOptions& options = SemaphoreOptions());

  Semaphore(Semaphore&&) = default;
  Semaphore& operator=(Semaphore&&) = default;

  // Adds one. Fails (ERANGE) at kMaxSysvSemaphoreValue, or when the
  // process's undo total would pass it.
  absl::Status Post();
  // Takes one, waiting as long as it takes.
  absl::Status Wait();
  // Takes one if the value is above zero, else `WouldBlockError()`.
  absl::Status TryWait();
  // Takes one, or returns `TimedOutError()` once `deadline` has passed.
  absl::Status WaitUntil(Deadline deadline);
  absl::Status WaitFor(absl::Duration timeout) {
    return WaitUntil(Deadline::After(timeout));
  }
  // The value now (GETVAL): for diagnostics and tests.
  absl::StatusOr<int> Value() const;

  // Removes the set now (IPC_RMID); see `SemaphoreSet::Remove()`.
  absl::Status Remove() { return set_.Remove(); }
  void Disown() { set_.Disown(); }
  bool created() const { return set_.created(); }
  bool is_open() const { return set_.is_open(); }
  bool undo_on_exit() const { return undo_flag_ != 0; }

  // The set, for what only System V has: waiter counts, the last pid,
  // multi-semaphore operations.
  SemaphoreSet& set() { return set_; }
  const SemaphoreSet& set() const { return set_; }

 private:
  Semaphore(SemaphoreSet set, bool undo_on_exit)
      : set_(std::move(set)), undo_flag_(undo_on_exit ? SEM_UNDO : 0) {}

  SemaphoreSet set_;
  short undo_flag_ = 0;  // SEM_UNDO or 0, added to every operation.
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_H_
