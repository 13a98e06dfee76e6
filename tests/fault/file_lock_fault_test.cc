// lib/file_lock under injected faults, for each backend (classic fcntl
// record locks, OFD locks, flock). The headers say "EINTR is retried" for
// the lock calls: an EINTR storm on the blocking call, on the try and on
// the unlock is absorbed, each fault counted. A timed wait never makes the
// blocking call: it retries the try with a back-off (lib/core's README.md),
// so EINTR on its tries or on its sleeps only makes it try again, and under
// an endless storm it ends TimedOut at its deadline. A conflict (EAGAIN or
// EACCES from F_SETLK, EWOULDBLOCK from flock) is WouldBlock, tried once;
// anything else (ENOLCK, EDEADLK) is an error naming the call.

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {
namespace {

// What differs between the backends: the call a fault goes on, and a
// second lock in this process that conflicts with the one under test.
struct FcntlBackend {
  using Lock = FcntlLock;
  using Holder = OfdLock;  // classic locks of one process never conflict
  static constexpr Syscall kCall = Syscall::kFcntl;
  static constexpr int kTry = F_SETLK;
  static constexpr int kUnlock = F_SETLK;
  static constexpr int kWait = F_SETLKW;
  static constexpr int kGet = F_GETLK;
  static constexpr const char* kWaitName = "F_SETLKW";
  static constexpr const char* kTryName = "F_SETLK";
  static constexpr int kConflicts[2] = {EAGAIN, EACCES};
};
struct OfdBackend {
  using Lock = OfdLock;
  using Holder = OfdLock;
  static constexpr Syscall kCall = Syscall::kFcntl;
  static constexpr int kTry = F_OFD_SETLK;
  static constexpr int kUnlock = F_OFD_SETLK;
  static constexpr int kWait = F_OFD_SETLKW;
  static constexpr int kGet = F_OFD_GETLK;
  static constexpr const char* kWaitName = "F_OFD_SETLKW";
  static constexpr const char* kTryName = "F_OFD_SETLK";
  static constexpr int kConflicts[2] = {EAGAIN, EACCES};
};
struct FlockBackend {
  using Lock = FlockLock;
  using Holder = FlockLock;
  static constexpr Syscall kCall = Syscall::kFlock;
  static constexpr int kTry = LOCK_EX | LOCK_NB;
  static constexpr int kUnlock = LOCK_UN;
  static constexpr int kWait = LOCK_EX;
  static constexpr const char* kWaitName = "flock(LOCK_EX)";
  static constexpr const char* kTryName = "flock(LOCK_EX|LOCK_NB)";
  static constexpr int kConflicts[2] = {EWOULDBLOCK, EWOULDBLOCK};
};

template <typename Backend>
class FileLockFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = UniqueTempPath("lock_fault");
    absl::StatusOr<typename Backend::Lock> lock = Backend::Lock::Open(path_);
    ASSERT_TRUE(lock.ok()) << lock.status();
    lock_.emplace(*std::move(lock));
  }
  void TearDown() override {
    lock_.reset();
    ::unlink(path_.c_str());
  }

  // A fault on the backend's call, narrowed to the lock's descriptor and
  // (fcntl) to `cmd`.
  Fault OnCommand(int cmd, int error, int count) {
    Fault f = FaultOn(lock_->fd(), error, count);
    f.command = cmd;
    return f;
  }

  const LeakCheck leak_check_;  // first: it checks after the rest is gone
  std::string path_;
  std::optional<typename Backend::Lock> lock_;
};

using Backends = ::testing::Types<FcntlBackend, OfdBackend, FlockBackend>;
TYPED_TEST_SUITE(FileLockFaultTest, Backends);

TYPED_TEST(FileLockFaultTest, EintrStormOnTheBlockingCallIsRetried) {
  ExpectRetriedThrough(TypeParam::kCall,
                       this->OnCommand(TypeParam::kWait, EINTR, kStorm),
                       [&] { return this->lock_->Lock(LockType::kExclusive); });
}

TYPED_TEST(FileLockFaultTest, EintrOnTheTryAndTheUnlockIsRetried) {
  ExpectRetriedThrough(
      TypeParam::kCall, this->OnCommand(TypeParam::kTry, EINTR, kStorm),
      [&] { return this->lock_->TryLock(LockType::kExclusive); });
  ExpectRetriedThrough(TypeParam::kCall,
                       this->OnCommand(TypeParam::kUnlock, EINTR, kStorm),
                       [&] { return this->lock_->Unlock(); });
  // A timed lock tries without blocking first.
  ExpectRetriedThrough(
      TypeParam::kCall, this->OnCommand(TypeParam::kTry, EINTR, kStorm),
      [&] { return this->lock_->LockFor(LockType::kExclusive, kLong); });
  if constexpr (TypeParam::kCall == Syscall::kFcntl) {
    ExpectRetriedThrough(
        TypeParam::kCall, this->OnCommand(TypeParam::kGet, EINTR, kStorm),
        [&] { return this->lock_->FindConflict(LockType::kExclusive); });
  }
  ASSERT_TRUE(this->lock_->Unlock().ok());
  // Really unlocked: a second lock on the file gets it at once.
  absl::StatusOr<typename TypeParam::Holder> other =
      TypeParam::Holder::Open(this->path_);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->TryLock(LockType::kExclusive).ok());
}

TYPED_TEST(FileLockFaultTest, AConflictIsWouldBlockTriedOnce) {
  for (int error : TypeParam::kConflicts) {
    ScopedFault taken(TypeParam::kCall,
                      this->OnCommand(TypeParam::kTry, error, -1));
    EXPECT_TRUE(IsWouldBlock(this->lock_->TryLock(LockType::kExclusive)));
    EXPECT_EQ(taken.injected(), 1);
    Tally(taken);
  }
}

// A second lock on the file holds it, so that a timed call goes past its
// first try into the back-off.
template <typename Backend>
absl::StatusOr<typename Backend::Holder> HoldTheLock(const std::string& path) {
  absl::StatusOr<typename Backend::Holder> holder = Backend::Holder::Open(path);
  if (!holder.ok()) return holder.status();
  if (absl::Status s = holder->TryLock(LockType::kExclusive); !s.ok()) {
    return s;
  }
  return holder;
}

TYPED_TEST(FileLockFaultTest, ATimedWaitNeverMakesTheBlockingCall) {
  absl::StatusOr<typename TypeParam::Holder> holder =
      HoldTheLock<TypeParam>(this->path_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  ScopedFault blocking(TypeParam::kCall,
                       this->OnCommand(TypeParam::kWait, ENOLCK, -1));
  EXPECT_TRUE(IsTimedOut(
      this->lock_->LockFor(LockType::kExclusive, absl::Milliseconds(20))));
  EXPECT_EQ(blocking.injected(), 0);
}

TYPED_TEST(FileLockFaultTest, EintrStormOnTheSleepsIsRetriedUntilTheLock) {
  absl::StatusOr<typename TypeParam::Holder> holder =
      HoldTheLock<TypeParam>(this->path_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  ScopedFault storm(Syscall::kClockNanosleep, FaultOn(-1, EINTR, kStorm));
  std::atomic<bool> give_up{false};
  std::thread releaser([&] {
    const absl::Time bound = absl::Now() + kLong;
    while (storm.injected() < kStorm && absl::Now() < bound && !give_up) {
      absl::SleepFor(absl::Milliseconds(1));  // nanosleep, not faulted
    }
    EXPECT_TRUE(holder->Unlock().ok());
  });
  const absl::Status locked = this->lock_->LockFor(LockType::kExclusive, kLong);
  give_up = true;
  releaser.join();
  EXPECT_TRUE(locked.ok()) << locked;
  EXPECT_EQ(storm.injected(), kStorm);
  Tally(storm);
}

TYPED_TEST(FileLockFaultTest, EintrStormOnTheRetriedTriesIsAbsorbed) {
  absl::StatusOr<typename TypeParam::Holder> holder =
      HoldTheLock<TypeParam>(this->path_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  // Skip the first try; then every other attempt is interrupted once more.
  ScopedFault storm(TypeParam::kCall, [&] {
    Fault f = this->OnCommand(TypeParam::kTry, EINTR, kStorm);
    f.skip = 1;
    return f;
  }());
  std::atomic<bool> give_up{false};
  std::thread releaser([&] {
    const absl::Time bound = absl::Now() + kLong;
    while (storm.injected() < kStorm && absl::Now() < bound && !give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    EXPECT_TRUE(holder->Unlock().ok());
  });
  const absl::Status locked = this->lock_->LockFor(LockType::kExclusive, kLong);
  give_up = true;
  releaser.join();
  EXPECT_TRUE(locked.ok()) << locked;
  EXPECT_EQ(storm.injected(), kStorm);
  Tally(storm);
}

TYPED_TEST(FileLockFaultTest, AnEndlessEintrStormEndsAtTheDeadline) {
  absl::StatusOr<typename TypeParam::Holder> holder =
      HoldTheLock<TypeParam>(this->path_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  ScopedFault storm(Syscall::kClockNanosleep, FaultOn(-1, EINTR, -1));
  // Long enough that the back-off gets past its sched_yield() steps and
  // sleeps: on a loaded machine each yield can give the CPU away for
  // several milliseconds, and 20 ms were at times used up by yields alone.
  const absl::Duration timeout = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(IsTimedOut(this->lock_->LockFor(LockType::kExclusive, timeout)));
  EXPECT_GE(absl::Now() - start, timeout) << "returned early";
  EXPECT_GE(storm.injected(), 1);
  Tally(storm);
}

TYPED_TEST(FileLockFaultTest, AnErrorOnARetriedTryEndsTheWaitNamingTheCall) {
  absl::StatusOr<typename TypeParam::Holder> holder =
      HoldTheLock<TypeParam>(this->path_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  ScopedFault fault(TypeParam::kCall, [&] {
    Fault f = this->OnCommand(TypeParam::kTry, ENOLCK, 1);
    f.skip = 2;  // the first try and one retry find the lock taken
    return f;
  }());
  const absl::Status s = this->lock_->LockFor(LockType::kExclusive, kLong);
  EXPECT_TRUE(IsErrorNaming(s, TypeParam::kTryName)) << s;
  EXPECT_EQ(fault.injected(), 1);
  Tally(fault);
}

TYPED_TEST(FileLockFaultTest, OtherErrorsNameTheCall) {
  for (int error : {ENOLCK, EDEADLK, ENOMEM}) {
    ExpectFailureNaming(
        TypeParam::kCall, this->OnCommand(TypeParam::kWait, error, -1),
        TypeParam::kWaitName,
        [&] { return this->lock_->Lock(LockType::kExclusive); });
  }
  // Nothing was taken: another lock on the file gets it at once.
  absl::StatusOr<typename TypeParam::Holder> other =
      TypeParam::Holder::Open(this->path_);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->TryLock(LockType::kExclusive).ok());
}

}  // namespace
}  // namespace ipcbox::testing
