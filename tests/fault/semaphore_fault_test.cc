// lib/semaphore under injected faults. POSIX named, unnamed and anonymous
// semaphores and System V semaphores all say "EINTR is retried": a storm of
// EINTR on every wait call is absorbed and takes exactly one unit. EAGAIN
// from a try (and from semtimedop, System V's timeout) and ETIMEDOUT from
// sem_clockwait are WouldBlock / TimedOut, tried once. Any other failure is
// an error naming the call, takes nothing, and a failed creation leaves no
// mapping, descriptor or System V set behind.

#include <errno.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"
#include "tests/support/ipc_leak_check.h"

namespace ipcbox::testing {
namespace {

// The same checks on any POSIX semaphore type (they share the sem_* calls).
template <typename Sem>
void ExpectPosixSemantics(Sem& sem) {
  ASSERT_TRUE(sem.Post().ok());
  ASSERT_TRUE(sem.Post().ok());
  ASSERT_TRUE(sem.Post().ok());
  ExpectRetriedThrough(Syscall::kSemWait, FaultOn(-1, EINTR, kStorm),
                       [&] { return sem.Wait(); });
  ExpectRetriedThrough(Syscall::kSemTrywait, FaultOn(-1, EINTR, kStorm),
                       [&] { return sem.TryWait(); });
  ExpectRetriedThrough(Syscall::kSemClockwait, FaultOn(-1, EINTR, kStorm),
                       [&] { return sem.WaitFor(kLong); });
  // Three posts, three takes, none twice: the value is back at zero.
  EXPECT_EQ(*sem.Value(), 0);
  ASSERT_TRUE(sem.Post().ok());
  {
    ScopedFault busy(Syscall::kSemTrywait, FaultOn(-1, EAGAIN, -1));
    EXPECT_TRUE(IsWouldBlock(sem.TryWait()));
    EXPECT_EQ(busy.injected(), 1) << "a try must try once";
    Tally(busy);
  }
  {
    ScopedFault late(Syscall::kSemClockwait, FaultOn(-1, ETIMEDOUT, -1));
    EXPECT_TRUE(IsTimedOut(sem.WaitFor(kLong)));
    EXPECT_EQ(late.injected(), 1);
    Tally(late);
  }
  for (int error : {EINVAL, ENOSYS}) {
    ExpectFailureNaming(Syscall::kSemWait, FaultOn(-1, error, -1), "sem_wait",
                        [&] { return sem.Wait(); });
    ExpectFailureNaming(Syscall::kSemTrywait, FaultOn(-1, error, -1),
                        "sem_trywait", [&] { return sem.TryWait(); });
    ExpectFailureNaming(Syscall::kSemClockwait, FaultOn(-1, error, -1),
                        "sem_clockwait", [&] { return sem.WaitFor(kLong); });
  }
  EXPECT_EQ(*sem.Value(), 1) << "a failed wait must not take the unit";
  EXPECT_TRUE(sem.TryWait().ok());
}

TEST(PosixSemaphoreFaultTest, NamedRetriesEintrAndReportsTheRest) {
  const std::set<std::string> shm_before = OwnSharedMemoryEntries("sem_fault");
  {
    absl::StatusOr<posix::NamedSemaphore> sem =
        posix::NamedSemaphore::Create(UniqueName("sem_fault"));
    ASSERT_TRUE(sem.ok()) << sem.status();
    ExpectPosixSemantics(*sem);
  }
  EXPECT_EQ(OwnSharedMemoryEntries("sem_fault"), shm_before);
}

TEST(PosixSemaphoreFaultTest, UnnamedRetriesEintrAndReportsTheRest) {
  posix::UnnamedSemaphore::Storage storage;
  absl::StatusOr<posix::UnnamedSemaphore*> sem =
      posix::UnnamedSemaphore::CreateIn(&storage, sizeof(storage), 0);
  ASSERT_TRUE(sem.ok()) << sem.status();
  ExpectPosixSemantics(**sem);
  EXPECT_TRUE((*sem)->Destroy().ok());
}

TEST(PosixSemaphoreFaultTest, AnonymousRetriesEintrAndReportsTheRest) {
  absl::StatusOr<posix::AnonymousSemaphore> sem =
      posix::AnonymousSemaphore::Create(0);
  ASSERT_TRUE(sem.ok()) << sem.status();
  ExpectPosixSemantics(*sem);
}

TEST(PosixSemaphoreFaultTest, AnonymousCreationReportsMmapFailure) {
  const int fds = OpenDescriptorCount();
  for (int error : {ENOMEM, EAGAIN, ENFILE}) {
    ExpectFailureNaming(Syscall::kMmap, FaultOn(-1, error, 1), "mmap",
                        [&] { return posix::AnonymousSemaphore::Create(0); });
  }
  EXPECT_EQ(OpenDescriptorCount(), fds);
}

// --- System V --------------------------------------------------------------

class SysvSemaphoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SemaphoreOptions options;
    options.undo_on_exit = false;
    absl::StatusOr<sysv::Semaphore> sem =
        sysv::Semaphore::Create(sysv::IpcKey::Private(), options);
    ASSERT_TRUE(sem.ok()) << sem.status();
    sem_ = *std::move(sem);
    id_ = sem_.set().id();
  }
  void TearDown() override {
    if (sem_.is_open()) {
      EXPECT_TRUE(sem_.Remove().ok());
    }
  }

  sysv::Semaphore sem_;
  int id_ = -1;
};

TEST_F(SysvSemaphoreFaultTest, EintrStormsAreRetriedAndTakeOneUnit) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sem_.Post().ok());
  ExpectRetriedThrough(Syscall::kSemop, FaultOn(id_, EINTR, kStorm),
                       [&] { return sem_.Wait(); });
  ExpectRetriedThrough(Syscall::kSemop, FaultOn(id_, EINTR, kStorm),
                       [&] { return sem_.TryWait(); });
  ExpectRetriedThrough(Syscall::kSemtimedop, FaultOn(id_, EINTR, kStorm),
                       [&] { return sem_.WaitFor(kLong); });
  EXPECT_EQ(*sem_.Value(), 0);
}

TEST_F(SysvSemaphoreFaultTest, EagainIsWouldBlockOrTimedOutTriedOnce) {
  ASSERT_TRUE(sem_.Post().ok());
  {
    ScopedFault busy(Syscall::kSemop, FaultOn(id_, EAGAIN, -1));
    EXPECT_TRUE(IsWouldBlock(sem_.TryWait()));
    EXPECT_EQ(busy.injected(), 1);
    Tally(busy);
  }
  {
    // semtimedop reports its timeout as EAGAIN.
    ScopedFault late(Syscall::kSemtimedop, FaultOn(id_, EAGAIN, -1));
    EXPECT_TRUE(IsTimedOut(sem_.WaitFor(kLong)));
    EXPECT_EQ(late.injected(), 1);
    Tally(late);
  }
  EXPECT_EQ(*sem_.Value(), 1);
}

TEST_F(SysvSemaphoreFaultTest, OtherFailuresNameTheCallAndTakeNothing) {
  ASSERT_TRUE(sem_.Post().ok());
  for (int error : {ENOMEM, EFBIG, ERANGE}) {
    ScopedFault wait(Syscall::kSemop, FaultOn(id_, error, -1));
    EXPECT_TRUE(IsErrorNaming(sem_.Wait(), "semop"));
    EXPECT_TRUE(IsErrorNaming(sem_.Post(), "semop"));
    EXPECT_EQ(wait.injected(), 2);
    Tally(wait);
    ExpectFailureNaming(Syscall::kSemtimedop, FaultOn(id_, error, -1),
                        "semtimedop", [&] { return sem_.WaitFor(kLong); });
  }
  {
    ScopedFault removed(Syscall::kSemtimedop, FaultOn(id_, EIDRM, 1));
    EXPECT_TRUE(absl::IsNotFound(sem_.WaitFor(kLong)));
    Tally(removed);
  }
  EXPECT_EQ(*sem_.Value(), 1);
}

TEST(SysvSemaphoreOpenFaultTest, FailingSemgetLeavesNoSet) {
  const IpcLeakCheck check;
  for (int error : {ENOSPC, ENOMEM}) {
    const absl::Status s = StatusUnderFault(
        Syscall::kSemget, FaultOn(-1, error, 1),
        [] { return sysv::Semaphore::Create(sysv::IpcKey::Private()); });
    EXPECT_TRUE(IsErrorNaming(s, "semget"));
    if (error == ENOSPC) {
      EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
    }
  }
  {
    // The set is made, then its initialisation fails: it must go again.
    ScopedFault init(Syscall::kSemop, FaultOn(-1, ENOMEM, -1));
    SemaphoreOptions options;
    options.initial_value = 1;
    absl::StatusOr<sysv::Semaphore> sem =
        sysv::Semaphore::Create(sysv::IpcKey::Private(), options);
    EXPECT_TRUE(IsErrorNaming(sem.status(), "semop"));
    EXPECT_EQ(init.injected(), 1);
    Tally(init);
  }
  check.ExpectNoneLeft();
}

}  // namespace
}  // namespace ipcbox::testing
