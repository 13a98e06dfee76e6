// Helpers shared by the lib/file_lock tests: a temporary file path removed by
// a guard, a one-byte event between processes, a child process that holds a
// lock until told to let go, a fixture per lock type, and a monotonic
// stopwatch.

#ifndef IPCBOX_TESTS_FILE_LOCK_LOCK_TEST_UTIL_H_
#define IPCBOX_TESTS_FILE_LOCK_LOCK_TEST_UTIL_H_

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/support/child_process.h"
#include "tests/support/stopwatch.h"

namespace ipcbox::testing {

// Bound on every wait for another process in these tests.
inline constexpr absl::Duration kPeerTimeout = absl::Seconds(30);

// A unique path under $TEST_TMPDIR; whatever is there is removed when the
// guard goes, so a failing test leaves nothing behind.
class TempPath {
 public:
  explicit TempPath(absl::string_view prefix) : path_(UniqueTempPath(prefix)) {}
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  ~TempPath() {
    if (::unlink(path_.c_str()) != 0) ::rmdir(path_.c_str());
  }

  const std::string& path() const { return path_; }
  const char* c_str() const { return path_.c_str(); }

 private:
  std::string path_;
};

// The size of the file at `path`, or -1.
inline int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_size;
}

// A one-way, one-byte-at-a-time signal between processes (a pipe). Both
// ends survive fork(); each side uses its own.
class Event {
 public:
  Event() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
      read_end_.reset(fds[0]);
      write_end_.reset(fds[1]);
    }
  }

  bool ok() const { return read_end_.valid() && write_end_.valid(); }

  void Notify() {
    const char byte = 'x';
    while (::write(write_end_.get(), &byte, 1) < 0 && errno == EINTR) {
    }
  }

  // True if a Notify() arrived within `timeout`.
  bool WaitFor(absl::Duration timeout) {
    struct pollfd pfd = {read_end_.get(), POLLIN, 0};
    const Deadline deadline = Deadline::After(timeout);
    for (;;) {
      const int r = ::poll(&pfd, 1, deadline.PollTimeoutMs());
      if (r > 0) break;
      if (r == 0) return false;
      if (errno != EINTR) return false;
    }
    char byte;
    return ::read(read_end_.get(), &byte, 1) == 1;
  }

 private:
  Fd read_end_;
  Fd write_end_;
};

template <typename LockT>
inline constexpr bool kHasRanges = !std::is_same_v<LockT, FlockLock>;

// `lock.Lock(type, range)`, or `lock.TryLock(type, range)` with kTry;
// ranges other than the whole file need a record lock.
enum class LockWait { kBlock, kTry };

template <typename LockT>
absl::Status LockRange(LockT& lock, LockType type, ByteRange range,
                       LockWait wait = LockWait::kBlock) {
  const bool try_only = wait == LockWait::kTry;
  if constexpr (kHasRanges<LockT>) {
    return try_only ? lock.TryLock(type, range) : lock.Lock(type, range);
  } else {
    if (range != ByteRange::WholeFile()) {
      return absl::InvalidArgumentError("flock has no ranges");
    }
    return try_only ? lock.TryLock(type) : lock.Lock(type);
  }
}

// A child process that opens `path` with `LockT`, takes a lock, says so, and
// holds it until `Release()` (then unlocks and exits 0) or until it is
// killed.
template <typename LockT>
class LockHolder {
 public:
  // Returns once the child holds the lock; an error if it could not take
  // it within kPeerTimeout.
  static absl::StatusOr<LockHolder> Start(
      const std::string& path, LockType type,
      ByteRange range = ByteRange::WholeFile()) {
    LockHolder holder;
    if (!holder.locked_->ok() || !holder.release_->ok()) {
      return absl::InternalError("pipe2 failed");
    }
    Event& locked = *holder.locked_;
    Event& release = *holder.release_;
    absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
      absl::StatusOr<LockT> lock = LockT::Open(path);
      if (!lock.ok()) return 2;
      if (!LockRange(*lock, type, range).ok()) return 3;
      locked.Notify();
      if (!release.WaitFor(kPeerTimeout)) return 4;
      if constexpr (kHasRanges<LockT>) {
        return lock->Unlock(range).ok() ? 0 : 5;
      } else {
        return lock->Unlock().ok() ? 0 : 5;
      }
    });
    if (!child.ok()) return child.status();
    holder.child_.emplace(*std::move(child));
    if (!locked.WaitFor(kPeerTimeout)) {
      return absl::InternalError(
          absl::StrCat("lock holder did not take the lock: ",
                       holder.child_->Wait(absl::Seconds(1)).Describe()));
    }
    return holder;
  }

  pid_t pid() const { return child_->pid(); }
  ChildProcess& child() { return *child_; }

  // Tells the child to unlock and exit, and waits for it.
  ExitResult Release() {
    SignalRelease();
    return child_->Wait(kPeerTimeout);
  }

  // Tells the child to unlock and exit; usable from another process.
  void SignalRelease() { release_->Notify(); }

 private:
  LockHolder() : locked_(new Event), release_(new Event) {}

  // Heap-held so that the addresses the child captured stay valid in the
  // parent when the holder moves (the child has its own copy anyway).
  std::unique_ptr<Event> locked_;
  std::unique_ptr<Event> release_;
  std::optional<ChildProcess> child_;
};

// What a lock call returned, reduced to what tests compare.
enum class Outcome { kOk, kWouldBlock, kTimedOut, kError, kNoChild };

inline Outcome OutcomeOf(const absl::Status& status) {
  if (status.ok()) return Outcome::kOk;
  if (IsWouldBlock(status)) return Outcome::kWouldBlock;
  if (IsTimedOut(status)) return Outcome::kTimedOut;
  return Outcome::kError;
}

inline std::ostream& operator<<(std::ostream& os, Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return os << "OK";
    case Outcome::kWouldBlock:
      return os << "would-block";
    case Outcome::kTimedOut:
      return os << "timed-out";
    case Outcome::kError:
      return os << "error";
    case Outcome::kNoChild:
      return os << "child failed";
  }
  return os;
}

// Runs `fn(lock)` (returning absl::Status) in a child process, on a `LockT`
// the child opens on `path` itself, and returns its outcome: "what does
// another process get?" in one line. The child prints an error status to
// stderr.
template <typename LockT, typename Fn>
Outcome InAnotherProcess(const std::string& path, Fn&& fn) {
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    absl::StatusOr<LockT> lock = LockT::Open(path);
    if (!lock.ok()) {
      std::fprintf(stderr, "child: %s\n", lock.status().ToString().c_str());
      return static_cast<int>(Outcome::kNoChild);
    }
    const absl::Status status = fn(*lock);
    if (OutcomeOf(status) == Outcome::kError) {
      std::fprintf(stderr, "child: %s\n", status.ToString().c_str());
    }
    return static_cast<int>(OutcomeOf(status));
  });
  if (!child.ok()) return Outcome::kNoChild;
  const ExitResult result = child->Wait(kPeerTimeout);
  if (!result.exited ||
      result.exit_code > static_cast<int>(Outcome::kNoChild)) {
    ADD_FAILURE() << "child: " << result.Describe();
    return Outcome::kNoChild;
  }
  return static_cast<Outcome>(result.exit_code);
}

// A fixture for tests of one lock type: a temporary file, locks opened on
// it, and what another process gets when it tries a lock on it.
//   using OfdLockTest = LockFileTest<OfdLock>;
//   TEST_F(OfdLockTest, Excludes) {
//     absl::StatusOr<OfdLock> lock = OpenLocked(LockType::kExclusive);
//     ASSERT_TRUE(lock.ok()) << lock.status();
//     EXPECT_EQ(TryInChild(LockType::kShared), Outcome::kWouldBlock);
//   }
template <typename LockT>
class LockFileTest : public ::testing::Test {
 protected:
  LockFileTest() : file_("lock_file_test") {}

  const std::string& path() const { return file_.path(); }

  // An invalid lock, and a test failure, if the file cannot be opened.
  LockT OpenOrDie(const LockFileOptions& options = LockFileOptions()) {
    absl::StatusOr<LockT> lock = LockT::Open(path(), options);
    EXPECT_TRUE(lock.ok()) << lock.status();
    return lock.ok() ? *std::move(lock) : LockT();
  }

  // The file opened and locked with `type` as a whole, or the first error.
  absl::StatusOr<LockT> OpenLocked(LockType type) {
    absl::StatusOr<LockT> lock = LockT::Open(path());
    if (!lock.ok()) return lock.status();
    if (absl::Status locked = lock->Lock(type); !locked.ok()) return locked;
    return lock;
  }

  // What another process gets from TryLock(type, range).
  Outcome TryInChild(LockType type, ByteRange range = ByteRange::WholeFile()) {
    return InAnotherProcess<LockT>(path(), [type, range](LockT& lock) {
      return LockRange(lock, type, range, LockWait::kTry);
    });
  }

 private:
  TempPath file_;
};

// The three lock types, for typed tests, and their names in test output:
//   TYPED_TEST_SUITE(MyTest, LockBackends, LockBackendNames);
using LockBackends = ::testing::Types<FcntlLock, OfdLock, FlockLock>;

class LockBackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, FcntlLock>) return "fcntl";
    if (std::is_same_v<T, OfdLock>) return "ofd";
    return "flock";
  }
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_FILE_LOCK_LOCK_TEST_UTIL_H_
