#include "ipcbox/semaphore/sysv_semaphore_set.h"

#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/semaphore/internal/not_open_error.h"
#include "ipcbox/semaphore/internal/sysv_ops.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::sysv {
namespace {

using semaphore_internal::SemctlArg;
using semaphore_internal::SysvError;

// As in posix_named_semaphore.cc: bound the create/open alternation.
constexpr int kOpenOrCreateRounds = 100;
// Polling for the creator's initialisation starts fast (it normally takes
// microseconds) and backs off.
constexpr absl::Duration kFirstInitPoll = absl::Microseconds(100);
constexpr absl::Duration kMaxInitPoll = absl::Milliseconds(10);

// Access the opener asks for: read and alter, checked by semget itself so
// that a set this user may not use fails here rather than at the first
// semop.
constexpr int kOpenAccess = 0600;

std::string KeyObject(IpcKey key) {
  return absl::StrCat("System V semaphore set ", key.ToString());
}

absl::StatusOr<struct semid_ds> StatById(int id) {
  struct semid_ds ds = {};
  SemctlArg arg;
  arg.buf = &ds;
  if (::semctl(id, 0, IPC_STAT, arg) != 0) {
    return SysvError(errno, "semctl(IPC_STAT)", id);
  }
  return ds;
}

// Sets the values, then marks the set ready by setting sem_otime with a
// semop that changes nothing: +1 then -1 on semaphore 0 (or -1 then +1 if
// it is at its maximum). No SEM_UNDO, never waits.
absl::Status Initialise(int id, absl::Span<const unsigned> values) {
  std::vector<unsigned short> array(values.begin(), values.end());
  SemctlArg arg;
  arg.array = array.data();
  if (::semctl(id, 0, SETALL, arg) != 0) {
    return SysvError(errno, "semctl(SETALL)", id);
  }
  const short first = values[0] < kMaxSysvSemaphoreValue ? 1 : -1;
  struct sembuf touch[2] = {
      {0, first, IPC_NOWAIT},
      {0, static_cast<short>(-first), IPC_NOWAIT},
  };
  if (::semop(id, touch, 2) != 0) return SysvError(errno, "semop", id);
  return absl::OkStatus();
}

absl::StatusOr<int> CreateNew(IpcKey key, absl::Span<const unsigned> values,
                              const SemaphoreSetOptions& options) {
  const int id = ::semget(
      key.value(), static_cast<int>(values.size()),
      IPC_CREAT | IPC_EXCL | static_cast<int>(options.permissions.mode()));
  if (id < 0) return ErrnoError(errno, "semget", KeyObject(key));
  if (absl::Status s = Initialise(id, values); !s.ok()) {
    ::semctl(id, 0, IPC_RMID);
    return s;
  }
  return id;
}

// Waits for the creator to have initialised set `id` (see the header).
absl::StatusOr<int> WaitUntilInitialised(int id, IpcKey key,
                                         absl::Duration timeout) {
  const Deadline deadline = Deadline::After(timeout);
  absl::Duration pause = kFirstInitPoll;
  for (;;) {
    absl::StatusOr<struct semid_ds> ds = StatById(id);
    if (!ds.ok()) return ds.status();
    if (ds->sem_otime != 0) return static_cast<int>(ds->sem_nsems);
    if (deadline.expired()) {
      // Not the timed-out outcome: a caller that retries on that would
      // wait forever for a creator that is likely dead.
      return absl::FailedPreconditionError(absl::StrCat(
          KeyObject(key), " (id ", id,
          ") was not initialised by its creator "
          "within ",
          absl::FormatDuration(timeout),
          ": the creator may have died between semget() and setting the "
          "values; remove the set (ipcrm -s ",
          id, ") or create it with purge-and-create"));
    }
    absl::SleepFor(std::min(pause, deadline.Remaining()));
    pause = std::min(pause * 2, kMaxInitPoll);
  }
}

struct Found {
  int id;
  int size;
};

absl::StatusOr<Found> OpenExisting(IpcKey key, size_t needed,
                                   const SemaphoreSetOptions& options) {
  const int id = ::semget(key.value(), 0, kOpenAccess);
  if (id < 0) return ErrnoError(errno, "semget", KeyObject(key));
  absl::StatusOr<int> size =
      WaitUntilInitialised(id, key, options.initialization_timeout);
  if (!size.ok()) return size.status();
  if (static_cast<size_t>(*size) < needed) {
    return absl::FailedPreconditionError(
        absl::StrCat(KeyObject(key), " (id ", id, ") has ", *size,
                     " semaphores, fewer than the ", needed, " asked for"));
  }
  return Found{id, *size};
}

absl::Status RemoveStale(IpcKey key) {
  const int id = ::semget(key.value(), 0, 0);
  if (id < 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(errno, "semget", KeyObject(key));
  }
  if (::semctl(id, 0, IPC_RMID) != 0 && errno != EINVAL && errno != EIDRM) {
    return SysvError(errno, "semctl(IPC_RMID)", id);
  }
  return absl::OkStatus();
}

absl::Status CheckOpenArguments(IpcKey key, OpenMode mode,
                                absl::Span<const unsigned> values) {
  if (MayCreate(mode) && values.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        KeyObject(key), ": a set needs at least one semaphore (nsems 0)"));
  }
  if (key.is_private() && mode == OpenMode::kOpenExisting) {
    return absl::InvalidArgumentError(
        "IPC_PRIVATE always creates a new set: it cannot open an existing "
        "one");
  }
  for (const unsigned value : values) {
    if (absl::Status s = semaphore_internal::CheckSysvValue(value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SemaphoreSet> SemaphoreSet::Open(
    IpcKey key, absl::Span<const unsigned> initial_values,
    const SemaphoreSetOptions& options) {
  OpenMode mode = options.open_mode;
  if (absl::Status s = CheckOpenArguments(key, mode, initial_values); !s.ok()) {
    return s;
  }
  const int size = static_cast<int>(initial_values.size());
  if (key.is_private()) mode = OpenMode::kCreateExclusive;
  if (RemovesExisting(mode)) {
    if (absl::Status s = RemoveStale(key); !s.ok()) return s;
  }
  if (mode == OpenMode::kOpenExisting) {
    absl::StatusOr<Found> found =
        OpenExisting(key, initial_values.size(), options);
    if (!found.ok()) return found.status();
    return SemaphoreSet(found->id, found->size, key, /*created=*/false);
  }
  for (int round = 0; round < kOpenOrCreateRounds; ++round) {
    absl::StatusOr<int> id = CreateNew(key, initial_values, options);
    if (id.ok()) return SemaphoreSet(*id, size, key, /*created=*/true);
    if (mode != OpenMode::kOpenOrCreate ||
        !absl::IsAlreadyExists(id.status())) {
      return id.status();
    }
    absl::StatusOr<Found> found =
        OpenExisting(key, initial_values.size(), options);
    if (found.ok()) {
      return SemaphoreSet(found->id, found->size, key, /*created=*/false);
    }
    // Removed between our semget calls: try creating again.
    if (!absl::IsNotFound(found.status())) return found.status();
  }
  return absl::AbortedError(
      absl::StrCat(KeyObject(key),
                   ": the set kept appearing and disappearing while "
                   "opening or creating it"));
}

absl::StatusOr<SemaphoreSet> SemaphoreSet::FromId(int id) {
  if (id < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("System V semaphore set id ", id, " is negative"));
  }
  absl::StatusOr<struct semid_ds> ds = StatById(id);
  if (!ds.ok()) return ds.status();
  // glibc calls the key field of struct ipc_perm "__key".
  return SemaphoreSet(id, static_cast<int>(ds->sem_nsems),
                      IpcKey::FromKernel(ds->sem_perm.__key),
                      /*created=*/false);
}

SemaphoreSet::SemaphoreSet(int id, int size, IpcKey key, bool created)
    : id_(id),
      size_(size),
      key_(key),
      created_(created),
      owns_set_(created),
      creator_pid_(created ? ::getpid() : -1) {}

SemaphoreSet::SemaphoreSet(SemaphoreSet&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      size_(std::exchange(other.size_, 0)),
      key_(other.key_),
      created_(std::exchange(other.created_, false)),
      owns_set_(std::exchange(other.owns_set_, false)),
      creator_pid_(std::exchange(other.creator_pid_, -1)) {}

SemaphoreSet& SemaphoreSet::operator=(SemaphoreSet&& other) noexcept {
  if (this != &other) {
    Reset();
    id_ = std::exchange(other.id_, -1);
    size_ = std::exchange(other.size_, 0);
    key_ = other.key_;
    created_ = std::exchange(other.created_, false);
    owns_set_ = std::exchange(other.owns_set_, false);
    creator_pid_ = std::exchange(other.creator_pid_, -1);
  }
  return *this;
}

SemaphoreSet::~SemaphoreSet() { Reset(); }

void SemaphoreSet::Reset() {
  if (id_ >= 0 && owns_set_ && creator_pid_ == ::getpid()) {
    const int saved_errno = errno;
    ::semctl(id_, 0, IPC_RMID);
    errno = saved_errno;
  }
  id_ = -1;
  owns_set_ = false;
}

namespace {

// Checks `ops` against a set of `size` semaphores and converts them for the
// kernel into `out`, adding `extra_flags`. Returns how many.
absl::StatusOr<size_t> ToSembufs(absl::Span<const SemOp> ops, int size,
                                 short extra_flags, struct sembuf* out) {
  if (ops.empty() || ops.size() > SemaphoreSet::kMaxOpsPerCall) {
    return absl::InvalidArgumentError(
        absl::StrCat("semop: ", ops.size(), " operations; one call takes 1 to ",
                     SemaphoreSet::kMaxOpsPerCall));
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const SemOp& op = ops[i];
    if (op.index() < 0 || op.index() >= size || !op.has_valid_count()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "semop: operation ", i, " (semaphore ", op.index(), ", change ",
          op.delta(), ") is outside a set of ", size,
          " semaphores or has a count outside 1..", kMaxSysvSemaphoreValue));
    }
    out[i].sem_num = static_cast<unsigned short>(op.index());
    out[i].sem_op = static_cast<short>(op.delta());
    out[i].sem_flg =
        static_cast<short>((op.undo() ? SEM_UNDO : 0) | extra_flags);
  }
  return ops.size();
}

}  // namespace

absl::Status SemaphoreSet::Apply(absl::Span<const SemOp> ops) {
  return ApplyUntil(ops, Deadline::Infinite());
}

absl::Status SemaphoreSet::TryApply(absl::Span<const SemOp> ops) {
  if (id_ < 0) return semaphore_internal::NotOpenError("semop");
  struct sembuf buf[kMaxOpsPerCall];
  absl::StatusOr<size_t> count = ToSembufs(ops, size_, IPC_NOWAIT, buf);
  if (!count.ok()) return count.status();
  return semaphore_internal::TrySemop(id_, buf, *count);
}

absl::Status SemaphoreSet::ApplyUntil(absl::Span<const SemOp> ops,
                                      Deadline deadline) {
  if (id_ < 0) return semaphore_internal::NotOpenError("semop");
  struct sembuf buf[kMaxOpsPerCall];
  absl::StatusOr<size_t> count = ToSembufs(ops, size_, 0, buf);
  if (!count.ok()) return count.status();
  return semaphore_internal::SemopUntil(id_, buf, *count, deadline);
}

absl::Status SemaphoreSet::CheckIndex(int index) const {
  if (id_ < 0) return semaphore_internal::NotOpenError("semctl");
  if (index >= 0 && index < size_) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "semctl: semaphore ", index, " is outside a set of ", size_));
}

absl::StatusOr<int> SemaphoreSet::Value(int index) const {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  return semaphore_internal::SemctlGet(id_, index, GETVAL, "semctl(GETVAL)");
}

absl::StatusOr<int> SemaphoreSet::WaitingCount(int index) const {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  return semaphore_internal::SemctlGet(id_, index, GETNCNT, "semctl(GETNCNT)");
}

absl::StatusOr<pid_t> SemaphoreSet::LastPid(int index) const {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  absl::StatusOr<int> pid =
      semaphore_internal::SemctlGet(id_, index, GETPID, "semctl(GETPID)");
  if (!pid.ok()) return pid.status();
  return static_cast<pid_t>(*pid);
}

absl::Status SemaphoreSet::SetValue(int index, unsigned value) {
  if (absl::Status s = CheckIndex(index); !s.ok()) return s;
  if (absl::Status s = semaphore_internal::CheckSysvValue(value); !s.ok()) {
    return s;
  }
  SemctlArg arg;
  arg.val = static_cast<int>(value);
  if (::semctl(id_, index, SETVAL, arg) != 0) {
    return SysvError(errno, "semctl(SETVAL)", id_);
  }
  return absl::OkStatus();
}

absl::StatusOr<SemaphoreSetStatus> SemaphoreSet::Stat() const {
  if (id_ < 0) return semaphore_internal::NotOpenError("semctl(IPC_STAT)");
  absl::StatusOr<struct semid_ds> ds = StatById(id_);
  if (!ds.ok()) return ds.status();
  SemaphoreSetStatus status;
  status.semaphores = static_cast<int>(ds->sem_nsems);
  status.mode = static_cast<mode_t>(ds->sem_perm.mode & 0777);
  status.owner_uid = ds->sem_perm.uid;
  status.creator_uid = ds->sem_perm.cuid;
  status.last_operation = absl::FromTimeT(ds->sem_otime);
  status.last_change = absl::FromTimeT(ds->sem_ctime);
  return status;
}

absl::Status SemaphoreSet::Remove() {
  if (id_ < 0) return semaphore_internal::NotOpenError("semctl(IPC_RMID)");
  owns_set_ = false;
  if (::semctl(id_, 0, IPC_RMID) != 0) {
    return SysvError(errno, "semctl(IPC_RMID)", id_);
  }
  return absl::OkStatus();
}

}  // namespace ipcbox::sysv
