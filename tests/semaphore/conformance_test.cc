// One suite, every semaphore backend: POSIX named, POSIX unnamed (in an
// anonymous shared mapping) and System V. What a caller of the generic
// surface may rely on whichever backend the build picks.

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "tests/semaphore/backends.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr absl::Duration kLongWait = absl::Seconds(30);

template <typename Backend>
class SemaphoreConformanceTest : public ::testing::Test {
 protected:
  using Semaphore = typename Backend::Semaphore;

  Semaphore Make(const SemaphoreOptions& options) {
    absl::StatusOr<Semaphore> semaphore = Backend::Create(options);
    EXPECT_TRUE(semaphore.ok()) << semaphore.status();
    if (!semaphore.ok()) return Semaphore();
    return *std::move(semaphore);
  }
};

TYPED_TEST_SUITE(SemaphoreConformanceTest, AllBackends, BackendNames);

template <typename Semaphore>
int ValueOf(const Semaphore& semaphore) {
  absl::StatusOr<int> value = semaphore.Value();
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : -1;
}

TYPED_TEST(SemaphoreConformanceTest, StartsAtItsInitialValue) {
  auto semaphore = this->Make(SignalOptions(3));
  ASSERT_TRUE(semaphore.is_open());
  EXPECT_EQ(ValueOf(semaphore), 3);
}

TYPED_TEST(SemaphoreConformanceTest, PostAddsOneAndWaitTakesOne) {
  auto semaphore = this->Make(SignalOptions(0));
  ASSERT_TRUE(semaphore.Post().ok());
  ASSERT_TRUE(semaphore.Post().ok());
  EXPECT_EQ(ValueOf(semaphore), 2);
  ASSERT_TRUE(semaphore.Wait().ok());
  EXPECT_EQ(ValueOf(semaphore), 1);
}

TYPED_TEST(SemaphoreConformanceTest, TryWaitOnZeroWouldBlockAndChangesNothing) {
  auto semaphore = this->Make(SignalOptions(0));
  const absl::Status status = semaphore.TryWait();
  EXPECT_TRUE(IsWouldBlock(status)) << status;
  EXPECT_EQ(ValueOf(semaphore), 0);
}

TYPED_TEST(SemaphoreConformanceTest, CountingSemaphoreAdmitsExactlyItsValue) {
  auto semaphore = this->Make(SignalOptions(3));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(semaphore.TryWait().ok()) << i;
  EXPECT_TRUE(IsWouldBlock(semaphore.TryWait()));
  ASSERT_TRUE(semaphore.Post().ok());
  EXPECT_TRUE(semaphore.TryWait().ok());
}

TYPED_TEST(SemaphoreConformanceTest, BinarySemaphoreIsALock) {
  auto lock = this->Make(LockOptions(1));
  ASSERT_TRUE(lock.Wait().ok());
  EXPECT_TRUE(IsWouldBlock(lock.TryWait()));  // held
  ASSERT_TRUE(lock.Post().ok());
  EXPECT_TRUE(lock.TryWait().ok());  // free again
  ASSERT_TRUE(lock.Post().ok());
}

TYPED_TEST(SemaphoreConformanceTest, TimedWaitTimesOutAfterAtLeastTheTimeout) {
  auto semaphore = this->Make(SignalOptions(0));
  constexpr absl::Duration kTimeout = absl::Milliseconds(150);
  Stopwatch watch;
  const absl::Status status = semaphore.WaitFor(kTimeout);
  const absl::Duration elapsed = watch.Elapsed();
  EXPECT_TRUE(IsTimedOut(status)) << status;
  EXPECT_GE(elapsed, kTimeout);
  EXPECT_EQ(ValueOf(semaphore), 0);
}

TYPED_TEST(SemaphoreConformanceTest, TimedWaitTakesAnAvailableValueAtOnce) {
  auto semaphore = this->Make(SignalOptions(1));
  EXPECT_TRUE(semaphore.WaitFor(kLongWait).ok());
  EXPECT_EQ(ValueOf(semaphore), 0);
}

TYPED_TEST(SemaphoreConformanceTest, ExpiredDeadlineMakesOneAttempt) {
  auto semaphore = this->Make(SignalOptions(1));
  EXPECT_TRUE(semaphore.WaitUntil(Deadline::Expired()).ok());
  EXPECT_TRUE(IsTimedOut(semaphore.WaitUntil(Deadline::Expired())));
  EXPECT_TRUE(IsTimedOut(semaphore.WaitFor(absl::ZeroDuration())));
}

TYPED_TEST(SemaphoreConformanceTest, PostAtTheMaximumValueFails) {
  auto semaphore = this->Make(SignalOptions(TypeParam::kMaxValue));
  const absl::Status status = semaphore.Post();
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(IsWouldBlock(status));
  EXPECT_EQ(ValueOf(semaphore), static_cast<int>(TypeParam::kMaxValue));
}

TYPED_TEST(SemaphoreConformanceTest, InitialValueAboveTheMaximumIsRejected) {
  absl::StatusOr<typename TypeParam::Semaphore> semaphore =
      TypeParam::Create(SignalOptions(TypeParam::kMaxValue + 1));
  EXPECT_EQ(semaphore.status().code(), absl::StatusCode::kInvalidArgument)
      << semaphore.status();
}

TYPED_TEST(SemaphoreConformanceTest, MovedFromObjectFailsCleanly) {
  auto semaphore = this->Make(SignalOptions(1));
  auto moved = std::move(semaphore);
  EXPECT_TRUE(moved.is_open());
  EXPECT_FALSE(semaphore.is_open());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(semaphore.Post().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(semaphore.TryWait().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(semaphore.Value().status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(moved.TryWait().ok());
}

TYPED_TEST(SemaphoreConformanceTest, WaiterInAnotherProcessWakesOnPost) {
  auto semaphore = this->Make(SignalOptions(0));
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    const absl::Status status = semaphore.WaitFor(kLongWait);
    return status.ok() ? 0 : 1;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::SleepFor(absl::Milliseconds(20));  // Usually the child is blocked.
  ASSERT_TRUE(semaphore.Post().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(ValueOf(semaphore), 0);
}

// A mutex between processes: every increment of a plain (non-atomic)
// counter in shared memory is made under the semaphore; any overlap of two
// critical sections would lose increments.
TYPED_TEST(SemaphoreConformanceTest, LockExcludesOtherProcesses) {
  constexpr int kProcesses = 3;
  constexpr int kRounds = 200;
  struct Shared {
    int counter = 0;
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
  };
  SharedBlock<Shared> shared;
  auto lock = this->Make(LockOptions(1));
  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p) {
    absl::StatusOr<ChildProcess> child = ForkChild([&] {
      for (int i = 0; i < kRounds; ++i) {
        if (!lock.WaitFor(kLongWait).ok()) return 1;
        if (shared->inside.fetch_add(1) != 0) shared->overlaps.fetch_add(1);
        const int seen = shared->counter;
        sched_yield();  // Invite another process into the critical section.
        shared->counter = seen + 1;
        shared->inside.fetch_sub(1);
        if (!lock.Post().ok()) return 2;
      }
      return 0;
    });
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  for (ChildProcess& child : children) {
    EXPECT_TRUE(ExitedWith(child.Wait(kChildTimeout), 0));
  }
  EXPECT_EQ(shared->counter, kProcesses * kRounds);
  EXPECT_EQ(shared->overlaps.load(), 0);
  EXPECT_EQ(ValueOf(lock), 1);
}

// Ping-pong: the turn passes back and forth through two semaphores, and each
// side checks it sees the other's latest write.
TYPED_TEST(SemaphoreConformanceTest, HandoffBetweenTwoProcesses) {
  constexpr int kRounds = 500;
  SharedBlock<std::atomic<int>> turn;
  auto ping = this->Make(SignalOptions(0));
  auto pong = this->Make(SignalOptions(0));
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    for (int i = 0; i < kRounds; ++i) {
      if (!ping.WaitFor(kLongWait).ok()) return 1;
      if (turn->load() != 2 * i + 1) return 2;
      turn->store(2 * i + 2);
      if (!pong.Post().ok()) return 3;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_EQ(turn->load(), 2 * i);
    turn->store(2 * i + 1);
    ASSERT_TRUE(ping.Post().ok());
    ASSERT_TRUE(pong.WaitFor(kLongWait).ok()) << "round " << i;
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(turn->load(), 2 * kRounds);
}

// Signals that interrupt a wait must not end it: EINTR is retried, and a
// timed wait keeps its original deadline.
void OnSignal(int) {}

void InstallHandlerWithoutRestart() {
  struct sigaction action = {};
  action.sa_handler = &OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // No SA_RESTART: the wait sees EINTR.
  sigaction(SIGUSR1, &action, nullptr);
}

TYPED_TEST(SemaphoreConformanceTest, SignalsDoNotEndAWait) {
  auto semaphore = this->Make(SignalOptions(0));
  auto ready = this->Make(SignalOptions(0));
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    InstallHandlerWithoutRestart();
    if (!ready.Post().ok()) return 1;
    const absl::Status status = semaphore.Wait();
    return status.ok() ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ready.WaitFor(kLongWait).ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(child->Kill(SIGUSR1).ok());
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_TRUE(semaphore.Post().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TYPED_TEST(SemaphoreConformanceTest, SignalsDoNotShortenATimedWait) {
  constexpr absl::Duration kTimeout = absl::Milliseconds(300);
  auto semaphore = this->Make(SignalOptions(0));
  auto ready = this->Make(SignalOptions(0));
  SharedBlock<std::atomic<int64_t>> elapsed_ns;
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    InstallHandlerWithoutRestart();
    if (!ready.Post().ok()) return 1;
    Stopwatch watch;
    const absl::Status status = semaphore.WaitFor(kTimeout);
    elapsed_ns->store(absl::ToInt64Nanoseconds(watch.Elapsed()));
    return IsTimedOut(status) ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ready.WaitFor(kLongWait).ok());
  for (int i = 0; i < 20 && !child->Poll().has_value(); ++i) {
    child->Kill(SIGUSR1).IgnoreError();  // It may have just finished.
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_GE(absl::Nanoseconds(elapsed_ns->load()), kTimeout);
}

}  // namespace
}  // namespace ipcbox::testing
