// Lock and unlock never allocate, in every backend: success, the
// would-block outcome of TryLock, and the timed-out outcome of the timed
// calls (which back off between tries), plus the record locks' query.

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"
#include "tests/support/status_tally.h"

namespace ipcbox::testing {
namespace {

template <typename LockT>
class FileLockAllocTest : public ::testing::Test {
 protected:
  FileLockAllocTest() : file_("file_lock_alloc") {}
  const std::string& path() const { return file_.path(); }

 private:
  TempPath file_;
};

using Backends = ::testing::Types<FcntlLock, OfdLock, FlockLock>;
TYPED_TEST_SUITE(FileLockAllocTest, Backends);

TYPED_TEST(FileLockAllocTest, LockAndUnlockDoNotAllocate) {
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->Lock(LockType::kExclusive).ok());  // warm-up
  ASSERT_TRUE(lock->Unlock().ok());

  constexpr int kRounds = 500;
  StatusTally tally;
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) {
    tally.Add(lock->TryLock(LockType::kExclusive));
    tally.Add(lock->Unlock());
    tally.Add(lock->Lock(LockType::kShared));
    tally.Add(lock->Unlock());
    tally.Add(lock->LockFor(LockType::kExclusive, absl::Seconds(1)));
    tally.Add(lock->LockUntil(LockType::kShared, Deadline::Infinite()));
    tally.Add(lock->Unlock());
  }
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  EXPECT_EQ(tally.ok, 7 * kRounds);
}

TYPED_TEST(FileLockAllocTest, WouldBlockAndTimedOutDoNotAllocate) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  // Warm-up: the first contended wait's lazy set-up, if any, is not counted.
  ASSERT_TRUE(
      IsTimedOut(lock->LockFor(LockType::kShared, absl::Milliseconds(1))));

  constexpr int kRounds = 20;
  StatusTally tally;
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) {
    tally.Add(lock->TryLock(LockType::kExclusive));
    tally.Add(lock->TryLock(LockType::kShared));
    tally.Add(lock->LockFor(LockType::kExclusive, absl::Milliseconds(2)));
    tally.Add(lock->LockUntil(LockType::kShared, Deadline::Expired()));
  }
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  EXPECT_EQ(tally.would_block, 2 * kRounds);
  EXPECT_EQ(tally.timed_out, 2 * kRounds);
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

template <typename LockT>
using RecordLockAllocTest = FileLockAllocTest<LockT>;
using RecordBackends = ::testing::Types<FcntlLock, OfdLock>;
TYPED_TEST_SUITE(RecordLockAllocTest, RecordBackends);

TYPED_TEST(RecordLockAllocTest, RangesAndTheQueryDoNotAllocate) {
  absl::StatusOr<LockHolder<TypeParam>> holder = LockHolder<TypeParam>::Start(
      this->path(), LockType::kExclusive, ByteRange::Of(0, 10));
  ASSERT_TRUE(holder.ok()) << holder.status();
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  ASSERT_TRUE(lock.ok()) << lock.status();

  constexpr int kRounds = 200;
  StatusTally tally;
  int conflicts_seen = 0;
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) {
    const ByteRange mine = ByteRange::Of(10 + i, 1);
    tally.Add(lock->TryLock(LockType::kExclusive, mine));
    tally.Add(lock->TryLock(LockType::kExclusive, ByteRange::Of(5, 1)));
    absl::StatusOr<std::optional<LockConflict>> conflict =
        lock->FindConflict(LockType::kShared, ByteRange::Of(0, 1));
    if (conflict.ok() && conflict->has_value()) ++conflicts_seen;
    tally.Add(lock->Unlock(mine));
  }
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  EXPECT_EQ(tally.ok, 2 * kRounds);
  EXPECT_EQ(tally.would_block, kRounds);
  EXPECT_EQ(conflicts_seen, kRounds);
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

// A blind counter would pass every check above: the counter in this binary
// sees an injected allocation (one new, one malloc).
TEST(FileLockAllocControlTest, TheCounterSeesAnInjectedAllocation) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(InjectTwoAllocations()),
                          "made 2 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox::testing
