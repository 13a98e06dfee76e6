// posix_named_semaphore.h
//
// `posix::NamedSemaphore` is a POSIX named semaphore (sem_open): a counter
// that unrelated processes find by name, with post (add one), wait (take
// one, blocking while it is zero), try-wait, timed wait and a value query.
// Use it as a lock (initial value 1: wait, work, post), as a signal between
// two processes (initial value 0: one posts, the other waits), or as a count
// of available resources.
//
// Example:
//
//   absl::StatusOr<PosixName> name =
//       PosixName::Create("/frames-ready", kMaxSemaphoreNameLength);
//   // The producer owns the semaphore; it removes the name when destroyed.
//   absl::StatusOr<posix::NamedSemaphore> ready =
//       posix::NamedSemaphore::Open(*name, OpenMode::kCreateExclusive);
//   ...
//   // The consumer, in another process:
//   absl::StatusOr<posix::NamedSemaphore> ready =
//       posix::NamedSemaphore::Open(*name, OpenMode::kOpenExisting);
//   absl::Status s = ready->WaitFor(absl::Milliseconds(500));
//   if (IsTimedOut(s)) { ... nothing within 500 ms ... }
//
// Names: glibc and musl keep the semaphore in the file sem.<name without the
// slash> in their shared memory directory (/dev/shm), so the part after the
// slash holds at most `kMaxSemaphoreNameLength` (251) bytes. ipcbox finds
// that file through the mapping sem_open() made (/proc/self/maps), not by
// assuming /dev/shm, and checks its device and inode; without /proc,
// creating or opening an existing semaphore with the ownership check fails. glibc also ignores leading slashes:
// "name" in a C program is the object ipcbox calls "/name".
//
// A process killed inside a creating Open() can leave a stray file: glibc's
// sem_open(O_CREAT) builds the semaphore in a temporary "sem.XXXXXX" (six
// random characters) in the same directory, links it to the real name and
// unlinks the temporary. Killed in between, the temporary stays, named by
// nothing, one page of tmpfs until removed by hand or reboot. ipcbox does
// not build the file itself (O_TMPFILE, fchmod, ftruncate, sem_init in a
// mapping, linkat) to avoid it, because sem_close() only accepts what
// sem_open() mapped (glibc keeps a table of its mappings), so every close
// and move would need a second path, and creating the file means assuming
// the C library's directory and file layout, which ipcbox only reads today.
//
// Ownership: the object that created the semaphore (`created()`) removes its
// name (sem_unlink) when destroyed, unless `Disown()` was called; processes
// that still have it open keep using it, and a later Open finds a new one.
// A copy inherited through fork() never removes it: the creator is the
// creating process, not the bytes of the object. An object that opened an
// existing semaphore removes nothing unless `Remove()` is called. A name
// holds no identity: if another process removed it and created a new
// semaphore under it (kPurgeAndCreate), the old creator's destructor
// removes the new one's name; an owner that knows it was replaced calls
// `Disown()`.
//
// Permissions: 0600 by default, applied with fchmod after creation so that
// the umask does not change them. Opening an existing semaphore refuses one
// owned by another user or (open-or-create) wider than asked, unless
// `SemaphoreOptions::ownership` says otherwise.
//
// A holder killed mid-hold: the kernel does not give a POSIX semaphore back
// when a process dies, so a lock held by a process killed with SIGKILL stays
// taken and every other process waits forever (use timed waits). There are
// two ways out, both tested in tests/semaphore:
//   - record the holder's pid next to the lock (in shared memory); a waiter
//     whose timed wait expires checks `kill(pid, 0)`, and on ESRCH, which
//     means the holder is gone, repairs what it was doing and posts on its
//     behalf. `RecoverableSemaphore` (recoverable_semaphore.h) does this;
//   - the owner, once it knows every user is gone, recreates the semaphore
//     with `OpenMode::kPurgeAndCreate`.
// Where the lock must survive a dead holder by itself, use System V with
// SEM_UNDO (sysv_semaphore.h) or a robust pthread mutex in shared memory.
//
// Timed waits use sem_clockwait on CLOCK_MONOTONIC (glibc >= 2.30), so a
// wall-clock step does not change them. EINTR is retried. The hot calls
// (post, wait, try-wait, timed wait) never allocate, including their
// would-block and timed-out outcomes.
//
// Thread-safe: several threads may post and wait on one object at once.
// Moving or destroying it while another thread uses it is not.

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

  // Opens or creates the semaphore `name` as `mode` says. Creating uses
  // `options.initial_value` and `options.permissions`; the other fields are
  // for System V. Errors: kInvalidArgument for a name longer than
  // `kMaxSemaphoreNameLength` or an initial value above SEM_VALUE_MAX (both
  // before any system call), kNotFound when kOpenExisting finds nothing,
  // kAlreadyExists when kCreateExclusive finds one, kPermissionDenied, ...
  static absl::StatusOr<NamedSemaphore> Open(
      const PosixName& name, OpenMode mode,
      const SemaphoreOptions& options = SemaphoreOptions());

  // As above, validating `name` first (kInvalidArgument if it is not a
  // valid semaphore name).
  static absl::StatusOr<NamedSemaphore> Open(
      absl::string_view name, OpenMode mode,
      const SemaphoreOptions& options = SemaphoreOptions());

  NamedSemaphore(NamedSemaphore&& other) noexcept;
  NamedSemaphore& operator=(NamedSemaphore&& other) noexcept;
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;

  // Closes the semaphore; the creator also removes the name (see above).
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
