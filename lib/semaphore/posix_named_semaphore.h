// posix_named_semaphore.h
//
// `posix::NamedSemaphore` is a POSIX named semaphore (sem_open): a counter
// that unrelated processes find by name, with post (add one), wait (take
// one, blocking while it is zero), try-wait, timed wait and a value query.
// Use it as a lock (initial value 1), as a signal between two processes
// (initial value 0: one posts, the other waits), or as a count of resources.
//
// Example:
//
//   absl::StatusOr<PosixName> name =
//       PosixName::Create("/frames-ready", kMaxSemaphoreNameLength);
//   // The producer owns the semaphore; it removes the name when destroyed.
//   absl::StatusOr<posix::NamedSemaphore> ready =
//       posix::NamedSemaphore::Create(*name);
//   ...
//   // The consumer, in another process:
//   absl::StatusOr<posix::NamedSemaphore> ready =
//       posix::NamedSemaphore::OpenExisting(*name);
//   absl::Status s = ready->WaitFor(absl::Milliseconds(500));
//   if (IsTimedOut(s)) { ... nothing within 500 ms ... }
//
// The kernel does not give a POSIX semaphore back when its holder dies: use
// timed waits, and `RecoverableSemaphore` or System V with SEM_UNDO where a
// holder may be killed. Timed waits are on CLOCK_MONOTONIC; the hot calls
// never allocate; several threads may use one object at once. lib/semaphore's
// README.md has the naming, ownership, permission and recovery rules.

#ifndef IPCBOX_SEMAPHORE_POSIX_NAMED_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_POSIX_NAMED_SEMAPHORE_H_

#include <semaphore.h>
#include <sys/types.h>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::posix {

class NamedSemaphore {
 public:
  // An empty object: every operation fails with kFailedPrecondition.
  NamedSemaphore() = default;

  // Opens or creates the semaphore `name` as `options.open_mode` says. Creating
  // uses `options.initial_value` and `options.permissions`; the other fields
  // are for System V. Errors: kInvalidArgument for a name longer than
  // `kMaxSemaphoreNameLength` or an initial value above SEM_VALUE_MAX (both
  // before any system call), kNotFound when kOpenExisting finds nothing,
  // kAlreadyExists when kCreateExclusive finds one, kPermissionDenied, ...
  static absl::StatusOr<NamedSemaphore> Open(
      const PosixName& name,
      const SemaphoreOptions& options = SemaphoreOptions());

  // As above, validating `name` first (kInvalidArgument if it is not a
  // valid semaphore name).
  static absl::StatusOr<NamedSemaphore> Open(
      absl::string_view name,
      const SemaphoreOptions& options = SemaphoreOptions());

  // `Open(id, options)` with `options.open_mode` set to kCreateExclusive,
  // or to kOpenExisting; `id` is anything `Open()` takes.
  template <typename Id>
  static absl::StatusOr<NamedSemaphore> Create(
      const Id& id, const SemaphoreOptions& options = SemaphoreOptions()) {
    return Open(id, WithOpenMode(OpenMode::kCreateExclusive, options));
  }
  template <typename Id>
  static absl::StatusOr<NamedSemaphore> OpenExisting(
      const Id& id, const SemaphoreOptions& options = SemaphoreOptions()) {
    return Open(id, WithOpenMode(OpenMode::kOpenExisting, options));
  }

  NamedSemaphore(NamedSemaphore&& other) noexcept;
  NamedSemaphore& operator=(NamedSemaphore&& other) noexcept;
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;

  // Closes the semaphore; the creator also removes the name (README.md).
  ~NamedSemaphore();

  // Adds one. Fails (EOVERFLOW) at SEM_VALUE_MAX.
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

  // The value now (0 while processes wait). Stale as soon as it returns:
  // for diagnostics and tests, not for deciding whether to wait.
  absl::StatusOr<int> Value() const;

  // Removes the name now (sem_unlink), whoever created it; kNotFound if it
  // is already gone. This object keeps working.
  absl::Status Remove();

  // Keeps the name in place when this object is destroyed.
  void Disown() { owns_name_ = false; }

  // Whether this object's Open() created the semaphore (true even after
  // `Disown()` or `Remove()`).
  bool created() const { return created_; }
  bool is_open() const { return sem_ != nullptr; }
  const PosixName& name() const { return name_; }

 private:
  NamedSemaphore(sem_t* sem, const PosixName& name, bool created);

  void Close();

  sem_t* sem_ = nullptr;
  PosixName name_ = PosixName::Create("/-").value();
  bool created_ = false;
  bool owns_name_ = false;  // Removes the name when destroyed.
  // The process that created the semaphore; only it removes the name.
  pid_t creator_pid_ = -1;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_SEMAPHORE_POSIX_NAMED_SEMAPHORE_H_
