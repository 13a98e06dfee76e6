// A lock holder killed with SIGKILL in the middle of its critical section.
//
// System V (SEM_UNDO, the default): the kernel gives the lock back, and the
// next waiter gets it. POSIX (named and unnamed): nothing gives it back; the
// count stays taken, as posix_named_semaphore.h documents, and this test
// shows the documented recovery: the holder recorded its pid next to the
// lock, a waiter whose timed wait expires finds the pid gone (kill(pid, 0)
// fails with ESRCH) and posts on the dead holder's behalf.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "tests/semaphore/backends.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr absl::Duration kLongWait = absl::Seconds(30);

// What sits next to the lock in shared memory.
struct HolderRecord {
  std::atomic<pid_t> holder{0};
};

// A waiter's check: is the recorded holder still alive?
bool HolderIsGone(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == -1 && errno == ESRCH;
}

template <typename Backend>
class KilledHolderTest : public ::testing::Test {};

TYPED_TEST_SUITE(KilledHolderTest, AllBackends, BackendNames);

TYPED_TEST(KilledHolderTest, LockOfAHolderKilledMidHold) {
  absl::StatusOr<typename TypeParam::Semaphore> lock =
      TypeParam::Create(LockOptions(1));
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<posix::AnonymousSemaphore> holding =
      posix::AnonymousSemaphore::Create(0);
  ASSERT_TRUE(holding.ok()) << holding.status();
  SharedBlock<HolderRecord> record;

  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    if (!lock->WaitFor(kLongWait).ok()) return 1;
    record->holder.store(::getpid());
    if (!holding->Post().ok()) return 2;
    for (;;) ::pause();  // Holds the lock until killed.
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(holding->WaitFor(kLongWait).ok());
  ASSERT_TRUE(IsWouldBlock(lock->TryWait())) << "the child holds the lock";
  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  ASSERT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));

  if constexpr (TypeParam::kUndoneOnExit) {
    // SEM_UNDO: the kernel reverted the dead holder's wait.
    EXPECT_EQ(lock->Value().value_or(-1), 1);
    EXPECT_TRUE(lock->WaitFor(kLongWait).ok());
  } else {
    // Not restored: the lock is still taken by a process that is gone.
    EXPECT_EQ(lock->Value().value_or(-1), 0);
    EXPECT_TRUE(IsWouldBlock(lock->TryWait()));
    // The recovery: a timed wait expires, the recorded holder is gone, so
    // the waiter posts on its behalf and then takes the lock.
    ASSERT_TRUE(IsTimedOut(lock->WaitFor(absl::Milliseconds(50))));
    const pid_t holder = record->holder.load();
    ASSERT_EQ(holder, child->pid());
    ASSERT_TRUE(HolderIsGone(holder));
    record->holder.store(0);
    ASSERT_TRUE(lock->Post().ok());
    EXPECT_TRUE(lock->WaitFor(kLongWait).ok());
  }
  ASSERT_TRUE(lock->Post().ok());
  EXPECT_EQ(lock->Value().value_or(-1), 1);
}

// A live holder is not mistaken for a dead one.
TEST(HolderIsGoneTest, LiveProcessIsNotGone) {
  EXPECT_FALSE(HolderIsGone(::getpid()));
}

}  // namespace
}  // namespace ipcbox::testing
