// The hot calls of every semaphore type do not touch the heap: post, wait,
// try-wait and timed wait, including the would-block and timed-out
// outcomes, and the System V set's multi-operation calls.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/semaphore/sysv_semaphore_set.h"
#include "tests/semaphore/backends.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox::testing {
namespace {

template <typename Backend>
class SemaphoreAllocationTest : public ::testing::Test {};

TYPED_TEST_SUITE(SemaphoreAllocationTest, AllBackends, BackendNames);

TYPED_TEST(SemaphoreAllocationTest, PostAndWaitDoNotAllocate) {
  absl::StatusOr<typename TypeParam::Semaphore> semaphore =
      TypeParam::Create(SignalOptions(0));
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  absl::Status post, wait, try_wait, timed_wait, until;
  {
    AllocationCounter counter;
    for (int i = 0; i < 100; ++i) {
      post = semaphore->Post();
      wait = semaphore->Wait();
      post.Update(semaphore->Post());
      try_wait = semaphore->TryWait();
      post.Update(semaphore->Post());
      timed_wait = semaphore->WaitFor(absl::Seconds(10));
      post.Update(semaphore->Post());
      until = semaphore->WaitUntil(Deadline::After(absl::Seconds(10)));
    }
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  }
  EXPECT_TRUE(post.ok()) << post;
  EXPECT_TRUE(wait.ok()) << wait;
  EXPECT_TRUE(try_wait.ok()) << try_wait;
  EXPECT_TRUE(timed_wait.ok()) << timed_wait;
  EXPECT_TRUE(until.ok()) << until;
}

TYPED_TEST(SemaphoreAllocationTest, WouldBlockAndTimeoutDoNotAllocate) {
  absl::StatusOr<typename TypeParam::Semaphore> semaphore =
      TypeParam::Create(SignalOptions(0));
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  absl::Status would_block, timed_out, expired;
  {
    AllocationCounter counter;
    for (int i = 0; i < 20; ++i) {
      would_block = semaphore->TryWait();
      timed_out = semaphore->WaitFor(absl::Microseconds(200));
      expired = semaphore->WaitUntil(Deadline::Expired());
    }
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  }
  EXPECT_TRUE(IsWouldBlock(would_block)) << would_block;
  EXPECT_TRUE(IsTimedOut(timed_out)) << timed_out;
  EXPECT_TRUE(IsTimedOut(expired)) << expired;
}

TEST(UnnamedSemaphoreAllocationTest, InPlaceSemaphoreDoesNotAllocate) {
  posix::UnnamedSemaphore::Storage storage;
  absl::StatusOr<posix::UnnamedSemaphore*> semaphore =
      posix::UnnamedSemaphore::CreateIn(&storage, sizeof(storage), 0);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  posix::UnnamedSemaphore& sem = **semaphore;
  EXPECT_NO_ALLOCATIONS(sem.Post().IgnoreError());
  EXPECT_NO_ALLOCATIONS(sem.Wait().IgnoreError());
  EXPECT_NO_ALLOCATIONS(sem.TryWait().IgnoreError());
  EXPECT_NO_ALLOCATIONS(sem.WaitFor(absl::Microseconds(100)).IgnoreError());
  EXPECT_TRUE(sem.Destroy().ok());
}

TEST(SysvSetAllocationTest, MultiOperationCallsDoNotAllocate) {
  absl::StatusOr<sysv::SemaphoreSet> set =
      sysv::SemaphoreSet::Open(sysv::IpcKey::Private(), {1u, 1u});
  ASSERT_TRUE(set.ok()) << set.status();
  const sysv::SemOp take[] = {sysv::SemOp::Wait(0), sysv::SemOp::Wait(1)};
  const sysv::SemOp give[] = {sysv::SemOp::Post(0), sysv::SemOp::Post(1)};
  absl::Status ok, would_block, timed_out;
  {
    AllocationCounter counter;
    ok = set->Apply(take);
    would_block = set->TryApply(take);
    timed_out = set->ApplyUntil(take, Deadline::After(absl::Microseconds(200)));
    ok.Update(set->Apply(give));
    ok.Update(set->TryApply(take));
    ok.Update(set->Apply(give));
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  }
  EXPECT_TRUE(ok.ok()) << ok;
  EXPECT_TRUE(IsWouldBlock(would_block)) << would_block;
  EXPECT_TRUE(IsTimedOut(timed_out)) << timed_out;
}

// The counter can fail: an injected allocation, and an error path that
// builds a message, are both seen.
TEST(SemaphoreAllocationControlTest, TheCounterSeesAnAllocation) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(InjectTwoAllocations()),
                          "made 2 heap allocation(s)");
  posix::AnonymousSemaphore empty;
  AllocationCounter counter;
  const absl::Status status = empty.Post();  // kFailedPrecondition, a message
  counter.Stop();
  EXPECT_FALSE(status.ok());
  EXPECT_GT(counter.count(), 0);
}

}  // namespace
}  // namespace ipcbox::testing
