// The classic fcntl record lock's own semantics, as fcntl_lock.h documents
// them: the process owns the locks, so closing any descriptor of the file
// drops them, threads share them, fork() does not pass them on; the kernel
// detects deadlocks between processes.

#include "ipcbox/file_lock/fcntl_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>  // NOLINT(build/c++11)
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

using FcntlLockTest = LockFileTest<FcntlLock>;

TEST_F(FcntlLockTest, ClosingAnyDescriptorOfTheFileDropsTheProcesssLocks) {
  absl::StatusOr<FcntlLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_EQ(TryInChild(LockType::kExclusive), Outcome::kWouldBlock);

  // Some other code in the process reads the file and closes it...
  const int other = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_EQ(::close(other), 0);

  // ...and the lock is gone, although `lock` is still open.
  EXPECT_TRUE(lock->valid());
  EXPECT_EQ(TryInChild(LockType::kExclusive), Outcome::kOk);
}

TEST_F(FcntlLockTest, ThreadsOfOneProcessShareTheLocks) {
  absl::StatusOr<FcntlLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::Status in_thread;
  std::thread thread([&] {
    absl::StatusOr<FcntlLock> mine = FcntlLock::Open(path());
    in_thread = mine.ok() ? mine->TryLock(LockType::kExclusive) : mine.status();
    // And closing `mine` now drops the lock for the whole process.
  });
  thread.join();
  EXPECT_TRUE(in_thread.ok()) << "the process already holds it: " << in_thread;
}

TEST_F(FcntlLockTest, AForkedChildDoesNotInheritTheLocks) {
  absl::StatusOr<FcntlLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    // Same descriptor, same open file description, different process.
    if (!IsWouldBlock(lock->TryLock(LockType::kShared))) return 2;
    // Closing the inherited descriptor does not unlock the parent.
    return lock->Close().ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
  EXPECT_EQ(TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
}

TEST_F(FcntlLockTest, FindConflictDoesNotReportOurOwnLocks) {
  absl::StatusOr<FcntlLock> lock = OpenLocked(LockType::kExclusive);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<std::optional<LockConflict>> conflict =
      lock->FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_FALSE(conflict->has_value());
}

TEST_F(FcntlLockTest, ClassicAndOfdLocksExcludeEachOther) {
  // What lets OfdLock programs interoperate with the seed's fcntl programs.
  absl::StatusOr<LockHolder<FcntlLock>> classic = LockHolder<FcntlLock>::Start(
      path(), LockType::kExclusive, ByteRange::Of(0, 10));
  ASSERT_TRUE(classic.ok()) << classic.status();
  absl::StatusOr<OfdLock> ofd = OfdLock::Open(path());
  ASSERT_TRUE(ofd.ok()) << ofd.status();
  EXPECT_TRUE(
      IsWouldBlock(ofd->TryLock(LockType::kShared, ByteRange::Of(5, 1))));
  absl::StatusOr<std::optional<LockConflict>> conflict =
      ofd->FindConflict(LockType::kShared);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  ASSERT_TRUE(conflict->has_value());
  EXPECT_EQ((*conflict)->pid, classic->pid()) << "classic holders have pids";
  EXPECT_TRUE(ExitedWith(classic->Release(), 0));

  ASSERT_TRUE(ofd->Lock(LockType::kExclusive).ok());
  EXPECT_EQ(TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
  absl::StatusOr<FcntlLock> fcntl = FcntlLock::Open(path());
  ASSERT_TRUE(fcntl.ok());
  conflict = fcntl->FindConflict(LockType::kShared);
  ASSERT_TRUE(conflict.ok());
  ASSERT_TRUE(conflict->has_value()) << "our own OFD lock, seen by F_GETLK";
  EXPECT_EQ((*conflict)->pid, kOpenFileDescriptionOwner);
}

TEST_F(FcntlLockTest, TheKernelDetectsADeadlockBetweenTwoProcesses) {
  // Parent holds A and wants B; child holds B and wants A. Whichever of the
  // two asks second is refused with EDEADLK instead of waiting forever. Only
  // the blocking Lock() (F_SETLKW) is checked by the kernel: LockFor()
  // retries F_SETLK, which never reports a deadlock, so two timed waiters
  // time out instead (lib/file_lock's README.md).
  const ByteRange a = ByteRange::Of(0, 1);
  const ByteRange b = ByteRange::Of(1, 1);
  absl::StatusOr<FcntlLock> lock = FcntlLock::Open(path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->Lock(LockType::kExclusive, a).ok());
  Event child_holds_b;
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    absl::StatusOr<FcntlLock> mine = FcntlLock::Open(path());
    if (!mine.ok() || !mine->Lock(LockType::kExclusive, b).ok()) return 2;
    child_holds_b.Notify();
    const absl::Status s = mine->Lock(LockType::kExclusive, a);
    if (s.ok()) return 0;  // the parent was refused
    if (s.message().find("deadlock") != absl::string_view::npos) {
      return 1;  // the child was refused
    }
    return 3;
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(child_holds_b.WaitFor(kPeerTimeout));
  // Bounds the blocking Lock() below: if the kernel saw no deadlock, the
  // child is killed (releasing B) and the checks below fail.
  std::atomic<bool> parent_done{false};
  std::thread watchdog([&] {
    const Deadline bound = Deadline::After(kPeerTimeout);
    while (!parent_done.load() && !bound.expired()) ::usleep(10 * 1000);
    if (!parent_done.load()) child->Kill(SIGKILL).IgnoreError();
  });
  const absl::Status parent = lock->Lock(LockType::kExclusive, b);
  parent_done.store(true);
  watchdog.join();
  if (parent.ok()) {
    // The child was refused and exited, releasing B.
    EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 1));
  } else {
    EXPECT_THAT(parent.message(), HasSubstr("deadlock")) << parent;
    ASSERT_TRUE(lock->Unlock(a).ok());  // let the child through
    EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
  }
}

}  // namespace
}  // namespace ipcbox::testing
