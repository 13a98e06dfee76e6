// The OFD lock's own semantics, as ofd_lock.h documents them: the open file
// description owns the lock, so other descriptors of the file do not
// matter, separate opens exclude each other even between threads, and a
// fork()ed child shares the lock.

#include "ipcbox/file_lock/ofd_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <thread>  // NOLINT(build/c++11)
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/lock_type.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using OfdLockTest = LockFileTest<OfdLock>;

TEST_F(OfdLockTest, ClosingAnotherDescriptorOfTheFileKeepsTheLock) {
  absl::StatusOr<OfdLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  const int other = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_EQ(::close(other), 0);
  EXPECT_EQ(TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
}

TEST_F(OfdLockTest, SeparateOpensExcludeEachOtherBetweenThreads) {
  absl::StatusOr<OfdLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();

  Event trying;
  absl::Status try_result;
  absl::Status wait_result;
  std::thread thread([&] {
    absl::StatusOr<OfdLock> mine = OfdLock::Open(path());
    if (!mine.ok()) {
      try_result = wait_result = mine.status();
      return;
    }
    try_result = mine->TryLock(LockType::kShared);
    trying.Notify();
    wait_result = mine->LockFor(LockType::kShared, kPeerTimeout);
  });
  ASSERT_TRUE(trying.WaitFor(kPeerTimeout));
  ::usleep(50 * 1000);  // let the thread block (not required for the result)
  ASSERT_TRUE(lock->Unlock().ok());
  thread.join();
  EXPECT_TRUE(IsWouldBlock(try_result)) << try_result;
  EXPECT_TRUE(wait_result.ok()) << wait_result;
}

TEST_F(OfdLockTest, AForkedChildSharesTheLockAndCanReleaseIt) {
  absl::StatusOr<OfdLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    // The inherited descriptor is the same owner: "taking" it again works.
    if (!lock->TryLock(LockType::kExclusive).ok()) return 2;
    // And unlocking through it unlocks the parent's lock as well.
    return lock->Unlock().ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
  EXPECT_EQ(TryInChild(LockType::kExclusive), Outcome::kOk);
}

TEST_F(OfdLockTest, FindConflictSeesOtherDescriptionsOfThisProcess) {
  absl::StatusOr<OfdLock> holder = OfdLock::Open(path());
  absl::StatusOr<OfdLock> asker = OfdLock::Open(path());
  ASSERT_TRUE(holder.ok() && asker.ok());
  ASSERT_TRUE(holder->Lock(LockType::kShared, ByteRange::Of(8, 8)).ok());
  absl::StatusOr<std::optional<LockConflict>> conflict =
      asker->FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  ASSERT_TRUE(conflict->has_value());
  EXPECT_EQ((*conflict)->type, LockType::kShared);
  EXPECT_EQ((*conflict)->range, ByteRange::Of(8, 8));
  EXPECT_EQ((*conflict)->pid, kOpenFileDescriptionOwner);
  // But not the asker's own lock.
  ASSERT_TRUE(holder->Unlock().ok());
  ASSERT_TRUE(asker->Lock(LockType::kExclusive).ok());
  conflict = asker->FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok());
  EXPECT_FALSE(conflict->has_value());
}

}  // namespace
}  // namespace ipcbox::testing
