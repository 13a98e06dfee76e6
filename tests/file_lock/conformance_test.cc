// The FileLock concept, run against every backend (FcntlLock, OfdLock,
// FlockLock): opening lock files, whole-file shared and exclusive locks
// between real processes, try/blocking/timed acquisition (a timed wait
// sleeps, it does not poll), hand-off, a holder killed with SIGKILL, and bad
// input. Range and query tests for the record locks are in
// record_lock_test.cc.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>  // NOLINT(build/c++11)
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/file_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "platforms/selected_backends.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

template <typename LockT>
class FileLockTest : public LockFileTest<LockT> {};

TYPED_TEST_SUITE(FileLockTest, LockBackends, LockBackendNames);

// --- Opening
// ------------------------------------------------------------------

TYPED_TEST(FileLockTest, OpenCreatesTheFileOwnerOnlyWhateverTheUmask) {
  const mode_t old_umask = ::umask(0);  // would leave 0666 bits alone
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  ::umask(old_umask);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->valid());
  EXPECT_TRUE(lock->created());
  struct stat st;
  ASSERT_EQ(::stat(this->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TYPED_TEST(FileLockTest, OpenAppliesRequestedPermissionsOnCreation) {
  LockFileOptions options;
  options.permissions = *Permissions::FromMode(0640);
  const mode_t old_umask = ::umask(077);  // would strip the group bit
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  ::umask(old_umask);
  ASSERT_TRUE(lock.ok()) << lock.status();
  struct stat st;
  ASSERT_EQ(::stat(this->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TYPED_TEST(FileLockTest, OpenOrCreateOpensAnExistingFileAndKeepsItsMode) {
  { TypeParam first = this->OpenOrDie(); }
  ASSERT_EQ(::chmod(this->path().c_str(), 0644), 0);
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_FALSE(lock->created());
  struct stat st;
  ASSERT_EQ(::stat(this->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TYPED_TEST(FileLockTest, OpenExistingOfAMissingFileIsNotFound) {
  LockFileOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound) << lock.status();
  // The message names the path (QuoteForMessage cuts long ones).
  EXPECT_THAT(lock.status().message(), HasSubstr(this->path().substr(0, 40)));
  EXPECT_NE(::access(this->path().c_str(), F_OK), 0) << "must not create";
}

TYPED_TEST(FileLockTest, CreateExclusiveOfAnExistingFileIsAlreadyExists) {
  { TypeParam first = this->OpenOrDie(); }
  LockFileOptions options;
  options.open_mode = OpenMode::kCreateExclusive;
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kAlreadyExists)
      << lock.status();
}

TYPED_TEST(FileLockTest, PurgeAndCreateReplacesAStaleFile) {
  ASSERT_EQ(::close(::open(this->path().c_str(), O_CREAT | O_WRONLY, 0666)), 0);
  LockFileOptions options;
  options.open_mode = OpenMode::kPurgeAndCreate;
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->created());
  struct stat st;
  ASSERT_EQ(::stat(this->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TYPED_TEST(FileLockTest, RefusesASymbolicLink) {
  TempPath target("file_lock_target");
  ASSERT_EQ(::close(::open(target.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  ASSERT_EQ(::symlink(target.c_str(), this->path().c_str()), 0);
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path());
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kFailedPrecondition)
      << lock.status();
  EXPECT_THAT(lock.status().message(), HasSubstr("symbolic link"));
}

TYPED_TEST(FileLockTest, RefusesAFifoWithoutBlocking) {
  ASSERT_EQ(::mkfifo(this->path().c_str(), 0600), 0);
  LockFileOptions options;
  options.access = LockFileAccess::kReadOnly;  // open() would wait for a writer
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kFailedPrecondition)
      << lock.status();
  EXPECT_THAT(lock.status().message(), HasSubstr("not a regular file"));
}

TYPED_TEST(FileLockTest, RefusesADirectory) {
  ASSERT_EQ(::mkdir(this->path().c_str(), 0700), 0);
  LockFileOptions options;
  options.access = LockFileAccess::kReadOnly;
  absl::StatusOr<TypeParam> lock = TypeParam::Open(this->path(), options);
  EXPECT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kFailedPrecondition)
      << lock.status();
}

TYPED_TEST(FileLockTest, RefusesAnEmptyPathOrOneWithNul) {
  EXPECT_EQ(TypeParam::Open("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TypeParam::Open(absl::string_view("/tmp/a\0b", 8)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(FileLockTest, OpenInAMissingDirectoryIsNotFound) {
  absl::StatusOr<TypeParam> lock =
      TypeParam::Open(this->path() + "/no/such/dir/lock");
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound) << lock.status();
}

TYPED_TEST(FileLockTest, AdoptTakesAnOpenDescriptor) {
  const int raw =
      ::open(this->path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(raw, 0);
  absl::StatusOr<TypeParam> lock = TypeParam::Adopt(Fd(raw));
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(lock->fd(), raw);
  EXPECT_FALSE(lock->created());
  EXPECT_TRUE(lock->TryLock(LockType::kExclusive).ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
}

TYPED_TEST(FileLockTest, AdoptRefusesEmptyAndClosedDescriptors) {
  EXPECT_EQ(TypeParam::Adopt(Fd()).status().code(),
            absl::StatusCode::kInvalidArgument);
  const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  ASSERT_EQ(::close(raw), 0);
  absl::StatusOr<TypeParam> lock = TypeParam::Adopt(Fd(raw));
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kInvalidArgument)
      << lock.status();
}

TYPED_TEST(FileLockTest, OperationsOnALockThatIsNotOpenFail) {
  TypeParam lock;
  EXPECT_FALSE(lock.valid());
  for (const absl::Status& s :
       {lock.Lock(LockType::kExclusive), lock.TryLock(LockType::kShared),
        lock.LockFor(LockType::kExclusive, absl::Milliseconds(10)),
        lock.Unlock()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(s.message(), HasSubstr("not open"));
  }
}

TYPED_TEST(FileLockTest, MovedFromLockIsNotOpenAndTheMoveKeepsTheLock) {
  TypeParam first = this->OpenOrDie();
  ASSERT_TRUE(first.Lock(LockType::kExclusive).ok());
  TypeParam second = std::move(first);
  EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(second.valid());
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kWouldBlock);
}

TYPED_TEST(FileLockTest, CloseReleasesTheLock) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.Lock(LockType::kExclusive).ok());
  ASSERT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
  EXPECT_TRUE(lock.Close().ok());
  EXPECT_FALSE(lock.valid());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kOk);
}

// --- Locking between processes -----------------------------------------------

TYPED_TEST(FileLockTest, ExclusiveExcludesEveryOtherProcess) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.TryLock(LockType::kExclusive).ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kWouldBlock);
  ASSERT_TRUE(lock.Unlock().ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kOk);
}

TYPED_TEST(FileLockTest, SharedLocksCoexistAndExcludeWriters) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.Lock(LockType::kShared).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);

  // A reader in another process keeps writers out after we let go, too.
  absl::StatusOr<LockHolder<TypeParam>> reader =
      LockHolder<TypeParam>::Start(this->path(), LockType::kShared);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE(lock.Unlock().ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kOk);
  EXPECT_TRUE(ExitedWith(reader->Release(), 0));
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kOk);
}

TYPED_TEST(FileLockTest, TryLockReportsWouldBlockWithoutMessage) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  const absl::Status s = lock.TryLock(LockType::kExclusive);
  EXPECT_TRUE(IsWouldBlock(s)) << s;
  EXPECT_TRUE(s.message().empty());
  EXPECT_TRUE(IsWouldBlock(lock.TryLock(LockType::kShared)));
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
  EXPECT_TRUE(lock.TryLock(LockType::kExclusive).ok());
}

TYPED_TEST(FileLockTest, BlockingLockWaitsForTheHolderAndHandsOff) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.Lock(LockType::kExclusive).ok());
  Event waiting;
  Event acquired;
  Event done;
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    absl::StatusOr<TypeParam> mine = TypeParam::Open(this->path());
    if (!mine.ok()) return 2;
    waiting.Notify();
    if (!mine->Lock(LockType::kExclusive).ok()) return 3;
    acquired.Notify();
    if (!done.WaitFor(kPeerTimeout)) return 4;
    return mine->Unlock().ok() ? 0 : 5;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(waiting.WaitFor(kPeerTimeout));
  // The child is (about to be) blocked: it must not get the lock while we
  // hold it.
  EXPECT_FALSE(acquired.WaitFor(absl::Milliseconds(300)));
  ASSERT_TRUE(lock.Unlock().ok());
  EXPECT_TRUE(acquired.WaitFor(kPeerTimeout)) << "no hand-off";
  // Now the child holds it: the hand-off went the other way too.
  EXPECT_TRUE(IsWouldBlock(lock.TryLock(LockType::kExclusive)));
  done.Notify();
  EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
  EXPECT_TRUE(lock.LockFor(LockType::kExclusive, kPeerTimeout).ok());
}

TYPED_TEST(FileLockTest, RepeatedHandOffsBetweenTwoProcesses) {
  // Both processes take and release the lock many times; each checks that
  // it alone is inside the critical section, using a byte of the file.
  constexpr int kRounds = 200;
  TypeParam lock = this->OpenOrDie();
  auto critical_section = [&](TypeParam& l, char mark) -> bool {
    if (!l.LockFor(LockType::kExclusive, kPeerTimeout).ok()) return false;
    bool alone = ::pwrite(l.fd(), &mark, 1, 0) == 1;
    ::sched_yield();
    char seen = 0;
    alone = alone && ::pread(l.fd(), &seen, 1, 0) == 1 && seen == mark;
    return l.Unlock().ok() && alone;
  };
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    absl::StatusOr<TypeParam> mine = TypeParam::Open(this->path());
    if (!mine.ok()) return 2;
    for (int i = 0; i < kRounds; ++i) {
      if (!critical_section(*mine, 'c')) return 3;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(critical_section(lock, 'p')) << "round " << i;
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kPeerTimeout), 0));
}

TYPED_TEST(FileLockTest, LockForTimesOutWhileAnotherProcessHoldsIt) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  const absl::Duration timeout = absl::Milliseconds(250);
  Stopwatch stopwatch;
  const absl::Status s = lock.LockFor(LockType::kShared, timeout);
  const absl::Duration waited = stopwatch.Elapsed();
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_TRUE(s.message().empty());
  EXPECT_GE(waited, timeout) << "returned early";
  // The wait did not leave a lock behind: the holder can still unlock, and
  // then we get it.
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
  EXPECT_TRUE(lock.TryLock(LockType::kExclusive).ok());
}

// What the process has consumed so far: CPU time (user + system, all its
// threads; children are not counted) and voluntary context switches (each
// time a thread went to sleep).
struct ResourceUse {
  absl::Duration cpu;
  int64_t sleeps = 0;
};

ResourceUse ResourceUseNow() {
  ResourceUse use;
  struct rusage usage;
  if (::getrusage(RUSAGE_SELF, &usage) != 0) {
    ADD_FAILURE() << "getrusage: errno " << errno;
    return use;
  }
  use.cpu = absl::DurationFromTimeval(usage.ru_utime) +
            absl::DurationFromTimeval(usage.ru_stime);
  use.sleeps = usage.ru_nvcsw;
  return use;
}

// A timed wait tries again with a back-off (lib/core's backoff.h) instead of
// spinning. This bounds resources, not speed: CPU time, and the number of
// sleeps, from below (a spinning loop, with or without sched_yield(), goes
// to sleep about never; on a busy machine it also gets only part of a CPU,
// so CPU time alone would not catch it) and from above by the back-off's
// cap (a TryLock loop with 1 ms sleeps goes to sleep about 500 times here).
// Not the time spent waiting for a CPU after each wake-up: on a loaded
// machine that grows with the load, not with the loop.
TYPED_TEST(FileLockTest, ATimedWaitBacksOffInsteadOfSpinning) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  // Under qemu-user the first timed wait translates the code, which is not
  // what is measured here.
  ASSERT_TRUE(
      IsTimedOut(lock.LockFor(LockType::kExclusive, absl::Milliseconds(1))));

  const absl::Duration timeout = absl::Milliseconds(500);
  const ResourceUse before = ResourceUseNow();
  Stopwatch stopwatch;
  const absl::Status s = lock.LockFor(LockType::kExclusive, timeout);
  const absl::Duration waited = stopwatch.Elapsed();
  const ResourceUse after = ResourceUseNow();
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(waited, timeout) << "returned early";
  const absl::Duration cpu = after.cpu - before.cpu;
  EXPECT_LT(cpu, timeout / 5)
      << "a wait of " << waited << " used " << cpu << " of CPU";
  // At the cap, one sleep per kDefaultMaxSleep (fewer when wake-ups come
  // late on a busy machine), plus the ramp up to the cap (about ten).
  const int64_t capped_sleeps = timeout / Backoff::kDefaultMaxSleep;
  const int64_t sleeps = after.sleeps - before.sleeps;
  EXPECT_GT(sleeps, capped_sleeps / 4)
      << "a wait of " << waited << " went to sleep only " << sleeps
      << " times: it spins";
  EXPECT_LT(sleeps, capped_sleeps + 25)
      << "a wait of " << waited << " went to sleep " << sleeps << " times";
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

TYPED_TEST(FileLockTest, LockUntilWithAnExpiredDeadlineTriesOnce) {
  TypeParam lock = this->OpenOrDie();
  EXPECT_TRUE(lock.LockUntil(LockType::kExclusive, Deadline::Expired()).ok())
      << "a free lock is taken even with no time left";
  ASSERT_TRUE(lock.Unlock().ok());
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kShared);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_TRUE(
      IsTimedOut(lock.LockUntil(LockType::kExclusive, Deadline::Expired())));
  EXPECT_TRUE(
      IsTimedOut(lock.LockFor(LockType::kExclusive, absl::ZeroDuration())));
  EXPECT_TRUE(lock.LockUntil(LockType::kShared, Deadline::Expired()).ok());
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

TYPED_TEST(FileLockTest, LockForGetsTheLockWhenReleasedDuringTheWait) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  absl::StatusOr<ChildProcess> releaser = ForkChild([&] {
    ::usleep(200 * 1000);
    holder->SignalRelease();
  });
  ASSERT_TRUE(releaser.ok());
  Stopwatch stopwatch;
  EXPECT_TRUE(lock.LockFor(LockType::kExclusive, kPeerTimeout).ok());
  EXPECT_LT(stopwatch.Elapsed(), kPeerTimeout);
  EXPECT_TRUE(ExitedWith(releaser->Wait(kPeerTimeout), 0));
  EXPECT_TRUE(ExitedWith(holder->child().Wait(kPeerTimeout), 0));
}

TYPED_TEST(FileLockTest, LockInfiniteDeadlineBlocksUntilReleased) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  absl::StatusOr<ChildProcess> releaser = ForkChild([&] {
    ::usleep(100 * 1000);
    holder->SignalRelease();
  });
  ASSERT_TRUE(releaser.ok());
  EXPECT_TRUE(lock.LockUntil(LockType::kShared, Deadline::Infinite()).ok());
  EXPECT_TRUE(ExitedWith(releaser->Wait(kPeerTimeout), 0));
  EXPECT_TRUE(ExitedWith(holder->child().Wait(kPeerTimeout), 0));
}

TYPED_TEST(FileLockTest, AHolderKilledWithSigkillReleasesTheLock) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(IsWouldBlock(lock.TryLock(LockType::kShared)));

  // A waiter blocked behind the holder gets the lock when the holder dies.
  Event acquired;
  absl::StatusOr<ChildProcess> waiter = ForkChild([&]() -> int {
    absl::StatusOr<TypeParam> mine = TypeParam::Open(this->path());
    if (!mine.ok()) return 2;
    if (!mine->LockFor(LockType::kExclusive, kPeerTimeout).ok()) return 3;
    acquired.Notify();
    return 0;
  });
  ASSERT_TRUE(waiter.ok());
  ASSERT_TRUE(holder->child().Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(holder->child().Wait(kPeerTimeout), SIGKILL));
  EXPECT_TRUE(acquired.WaitFor(kPeerTimeout)) << "waiter never got the lock";
  EXPECT_TRUE(ExitedWith(waiter->Wait(kPeerTimeout), 0));
  EXPECT_TRUE(lock.LockFor(LockType::kExclusive, kPeerTimeout).ok());
}

TYPED_TEST(FileLockTest, ConvertsBetweenSharedAndExclusive) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.Lock(LockType::kShared).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kOk);
  ASSERT_TRUE(lock.Lock(LockType::kExclusive).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kWouldBlock);
  ASSERT_TRUE(lock.Lock(LockType::kShared).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared), Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive), Outcome::kWouldBlock);
}

TYPED_TEST(FileLockTest, UnlockWithoutALockSucceeds) {
  TypeParam lock = this->OpenOrDie();
  EXPECT_TRUE(lock.Unlock().ok());
  EXPECT_TRUE(lock.Unlock().ok());
}

TYPED_TEST(FileLockTest, ReleaseHandsOverTheDescriptor) {
  TypeParam lock = this->OpenOrDie();
  const int raw = lock.fd();
  Fd fd = lock.Release();
  EXPECT_EQ(fd.get(), raw);
  EXPECT_FALSE(lock.valid());
  EXPECT_GE(::fcntl(fd.get(), F_GETFD), 0) << "Release() must not close";
  EXPECT_TRUE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC);
}

TYPED_TEST(FileLockTest, TimedWaitsInSeveralThreadsAtOnce) {
  // Each waiting thread backs off on its own: all time out, each at its own
  // deadline. (For FcntlLock the threads share the process's locks,
  // so the holder must be another process for all of them.)
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  constexpr int kThreads = 4;
  std::vector<TypeParam> locks;
  for (int i = 0; i < kThreads; ++i) locks.push_back(this->OpenOrDie());
  std::vector<absl::Status> results(kThreads);
  std::vector<absl::Duration> waited(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Stopwatch stopwatch;
      results[i] = locks[i].LockFor(LockType::kExclusive,
                                    absl::Milliseconds(100 * (i + 1)));
      waited[i] = stopwatch.Elapsed();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(IsTimedOut(results[i])) << i << ": " << results[i];
    EXPECT_GE(waited[i], absl::Milliseconds(100 * (i + 1))) << i;
  }
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

// --- The generic type
// ---------------------------------------------------------

TEST(FileLockSelectionTest, FileLockIsTheSelectedBackend) {
  switch (kLockBackend) {
    case LockBackend::kFcntl:
      EXPECT_TRUE((std::is_same_v<FileLock, FcntlLock>));
      break;
    case LockBackend::kOfd:
      EXPECT_TRUE((std::is_same_v<FileLock, OfdLock>));
      break;
    case LockBackend::kFlock:
      EXPECT_TRUE((std::is_same_v<FileLock, FlockLock>));
      break;
  }
}

TEST(FileLockSelectionTest, GenericCodeRunsOnTheSelectedBackend) {
  TempPath file("file_lock_generic");
  absl::StatusOr<FileLock> lock = FileLock::Open(file.path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->LockFor(LockType::kExclusive, absl::Seconds(1)).ok());
  EXPECT_EQ(InAnotherProcess<FileLock>(
                file.path(),
                [](FileLock& l) { return l.TryLock(LockType::kShared); }),
            Outcome::kWouldBlock);
  EXPECT_TRUE(lock->Unlock().ok());
}

}  // namespace
}  // namespace ipcbox::testing
