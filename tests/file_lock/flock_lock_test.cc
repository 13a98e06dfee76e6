// flock's own semantics, as flock_lock.h documents them: separate opens
// exclude each other (threads too), the access mode does not matter, a
// fork()ed child shares the lock, and flock and fcntl locks do not see each
// other on a local file system.

#include "ipcbox/file_lock/flock_lock.h"

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
#include "ipcbox/core/open_mode.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using FlockLockTest = LockFileTest<FlockLock>;

TEST_F(FlockLockTest, AReadOnlyDescriptorCanHoldAnExclusiveLock) {
  { ASSERT_TRUE(FlockLock::Open(path()).ok()); }
  LockFileOptions read_only;
  read_only.open_mode = OpenMode::kOpenExisting;
  read_only.access = LockFileAccess::kReadOnly;
  absl::StatusOr<FlockLock> lock = FlockLock::Open(path(), read_only);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->TryLock(LockType::kExclusive).ok());
  EXPECT_EQ(TryInChild(LockType::kShared), Outcome::kWouldBlock);
}

TEST_F(FlockLockTest, SeparateOpensExcludeEachOtherBetweenThreads) {
  absl::StatusOr<FlockLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::Status in_thread;
  std::thread thread([&] {
    absl::StatusOr<FlockLock> mine = FlockLock::Open(path());
    in_thread = mine.ok()
                    ? mine->LockFor(LockType::kShared, absl::Milliseconds(100))
                    : mine.status();
  });
  thread.join();
  EXPECT_TRUE(IsTimedOut(in_thread)) << in_thread;
}

TEST_F(FlockLockTest, AForkedChildSharesTheLock) {
  absl::StatusOr<FlockLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    return lock->TryLock(LockType::kExclusive).ok() ? 0 : 2;
  });
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
}

TEST_F(FlockLockTest, FlockAndFcntlLocksDoNotSeeEachOther) {
  absl::StatusOr<FlockLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(
      InAnotherProcess<FcntlLock>(
          path(), [](FcntlLock& l) { return l.TryLock(LockType::kExclusive); }),
      Outcome::kOk)
      << "on a local file system; on NFS flock is emulated with fcntl locks";
}

TEST_F(FlockLockTest, AdoptWorksOnADirectory) {
  TempPath dir("flock_dir");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const int raw = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  absl::StatusOr<FlockLock> lock = FlockLock::Adopt(Fd(raw));
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->TryLock(LockType::kExclusive).ok());
}

}  // namespace
}  // namespace ipcbox::testing
