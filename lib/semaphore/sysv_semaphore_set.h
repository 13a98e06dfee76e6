// sysv_semaphore_set.h
//
// `sysv::SemaphoreSet` is a System V semaphore set (semget/semctl/semop): an
// array of counters that processes find by key and change with `Apply()`,
// which performs several operations on several semaphores as one atomic
// step: all of them happen, or none does and the caller waits (or gets
// would-block / timed-out). Taking two locks at once needs no lock order and
// cannot deadlock halfway.
//
// Example: take semaphores 0 and 1 together, release them together.
//
//   sysv::SemaphoreSetOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   absl::StatusOr<sysv::SemaphoreSet> set = sysv::SemaphoreSet::Open(
//       *sysv::IpcKey::FromValue(0x5e4a), {1, 1}, options);  // two free locks
//   const sysv::SemOp take[] = {sysv::SemOp::Wait(0), sysv::SemOp::Wait(1)};
//   const sysv::SemOp give[] = {sysv::SemOp::Post(0), sysv::SemOp::Post(1)};
//   if (absl::Status s = set->Apply(take); !s.ok()) return s;
//   ... both held ...
//   return set->Apply(give);
//
// Every `SemOp` uses SEM_UNDO unless `WithoutUndo()` says otherwise, so a
// holder killed mid-hold gives its locks back. The creator removes the set
// when destroyed (not a fork()ed copy); openers wait until the creator has
// set the initial values. Permissions are the set's mode (0600 by default,
// no umask). Thread-safe for concurrent `Apply()` and queries. See
// lib/semaphore's README.md for undo, initialisation and removal in full.

#ifndef IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_SET_H_
#define IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_SET_H_

#include <sys/types.h>

#include <initializer_list>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"

namespace ipcbox::sysv {

// One operation on one semaphore of a set.
class SemOp {
 public:
  // Adds `count` (1 to 32767) to semaphore `index`.
  static constexpr SemOp Post(int index, int count = 1) {
    return SemOp(index, count, Kind::kPost);
  }
  // Waits until semaphore `index` is at least `count` (1 to 32767), then
  // subtracts it.
  static constexpr SemOp Wait(int index, int count = 1) {
    return SemOp(index, count, Kind::kWait);
  }
  // Waits until semaphore `index` is zero; changes nothing.
  static constexpr SemOp WaitForZero(int index) {
    return SemOp(index, 0, Kind::kWaitForZero);
  }

  // The same operation without SEM_UNDO: not reverted when the process
  // exits.
  constexpr SemOp WithoutUndo() const {
    SemOp op = *this;
    op.undo_ = false;
    return op;
  }

  constexpr int index() const { return index_; }
  // What the operation adds to the value: positive for a post, negative
  // for a wait, zero for a wait-for-zero.
  constexpr int delta() const {
    return kind_ == Kind::kPost ? count_ : kind_ == Kind::kWait ? -count_ : 0;
  }
  // Whether the count is one a semop can carry (1 to 32767; 0 for a
  // wait-for-zero).
  constexpr bool has_valid_count() const {
    return kind_ == Kind::kWaitForZero || (count_ >= 1 && count_ <= 32767);
  }
  constexpr bool undo() const { return undo_ && kind_ != Kind::kWaitForZero; }

 private:
  enum class Kind : unsigned char { kPost, kWait, kWaitForZero };

  constexpr SemOp(int index, int count, Kind kind)
      : index_(index), count_(count), kind_(kind) {}

  int index_;
  int count_;
  Kind kind_;
  bool undo_ = true;
};

struct SemaphoreSetOptions {
  // What to do when the key is taken or free; see ipcbox/core/open_mode.h.
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // The set's mode when this call creates it.
  Permissions permissions;
  // How long an opener waits for the creator to initialise the set.
  absl::Duration initialization_timeout = absl::Seconds(2);
};

// What IPC_STAT reports.
struct SemaphoreSetStatus {
  int semaphores = 0;
  mode_t mode = 0;  // the 0777 access bits
  uid_t owner_uid = 0;
  uid_t creator_uid = 0;
  // Time of the last semop, `absl::UnixEpoch()` if none yet (the set is
  // not initialised).
  absl::Time last_operation;
  // Time of creation or of the last IPC_SET/SETVAL/SETALL.
  absl::Time last_change;
};

class SemaphoreSet {
 public:
  // The most operations one `Apply()` takes. Kernels before Linux 3.19
  // allowed only 32 (SEMOPM), which armv7 boards still run.
  static constexpr int kMaxOpsPerCall = 32;

  // An empty object: every operation fails with kFailedPrecondition.
  SemaphoreSet() = default;

  // Finds or creates the set for `key` as `options.open_mode` says. A created
  // set has one semaphore per entry of `initial_values` (each at most
  // kMaxSysvSemaphoreValue); opening an existing set ignores the values
  // but checks that the set has at least that many semaphores (pass none to
  // accept any size). `Private()` keys always create. Errors, before any
  // system call: kInvalidArgument for no values when creating (nsems 0), a
  // value too large, kOpenExisting with a private key. Then: kNotFound
  // (kOpenExisting, no such key), kAlreadyExists (kCreateExclusive),
  // kPermissionDenied, kFailedPrecondition (never initialised: README.md).
  static absl::StatusOr<SemaphoreSet> Open(
      IpcKey key, absl::Span<const unsigned> initial_values,
      const SemaphoreSetOptions& options = SemaphoreSetOptions());

  // Uses an existing set by id (from ipcs, or passed by a peer), without
  // owning it. Checks that the id names a set this process may read.
  static absl::StatusOr<SemaphoreSet> FromId(int id);

  SemaphoreSet(SemaphoreSet&& other) noexcept;
  SemaphoreSet& operator=(SemaphoreSet&& other) noexcept;
  SemaphoreSet(const SemaphoreSet&) = delete;
  SemaphoreSet& operator=(const SemaphoreSet&) = delete;
  // The creator removes the set (README.md).
  ~SemaphoreSet();

  // Applies every operation in `ops` as one atomic step, waiting as long as
  // it takes. kInvalidArgument for an empty list, more than kMaxOpsPerCall
  // operations, an index outside the set or a count outside 1..32767.
  absl::Status Apply(absl::Span<const SemOp> ops);
  absl::Status Apply(std::initializer_list<SemOp> ops) {
    return Apply(absl::MakeConstSpan(ops.begin(), ops.size()));
  }
  // The same, or `WouldBlockError()` if they cannot all be applied now.
  absl::Status TryApply(absl::Span<const SemOp> ops);
  absl::Status TryApply(std::initializer_list<SemOp> ops) {
    return TryApply(absl::MakeConstSpan(ops.begin(), ops.size()));
  }
  // The same, or `TimedOutError()` once `deadline` has passed (semtimedop;
  // a relative timeout recomputed from the deadline after each EINTR).
  absl::Status ApplyUntil(absl::Span<const SemOp> ops, Deadline deadline);

  // The value of semaphore `index` (GETVAL).
  absl::StatusOr<int> Value(int index) const;
  // How many processes wait for semaphore `index` to increase (GETNCNT).
  absl::StatusOr<int> WaitingCount(int index) const;
  // The pid of the last process that operated on semaphore `index`
  // (GETPID), 0 if none.
  absl::StatusOr<pid_t> LastPid(int index) const;
  // Sets semaphore `index` to `value` (SETVAL). Also forgets every
  // process's pending undo for it: an administrative reset, not a post.
  absl::Status SetValue(int index, unsigned value);
  absl::StatusOr<SemaphoreSetStatus> Stat() const;

  // Removes the set now (IPC_RMID), whoever created it. kNotFound if it is
  // already gone, kPermissionDenied unless this user owns or created it.
  absl::Status Remove();
  // Keeps the set when this object is destroyed.
  void Disown() { owns_set_ = false; }

  int id() const { return id_; }
  int size() const { return size_; }
  IpcKey key() const { return key_; }
  // Whether this object's Open() created the set (true even after
  // `Disown()`).
  bool created() const { return created_; }
  bool is_open() const { return id_ >= 0; }

 private:
  SemaphoreSet(int id, int size, IpcKey key, bool created);

  absl::Status CheckIndex(int index) const;
  // The destructor's work; leaves the object empty.
  void Reset();

  int id_ = -1;
  int size_ = 0;
  IpcKey key_ = IpcKey::Private();
  bool created_ = false;
  bool owns_set_ = false;  // Removes the set when destroyed.
  pid_t creator_pid_ = -1;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_SET_H_
