// lib/shm under injected faults. POSIX: shm_open's EINTR and
// posix_fallocate's EINTR are retried (posix_fallocate may be interrupted
// part way through a large reservation); ENOSPC, ENOMEM, EMFILE become
// statuses naming the call; a failed Open removes the object only if it
// made it, and closes its descriptor either way. System V: shmget and shmat
// failures name the call; a segment this call made is removed again, one it
// found is left alone.

#include <errno.h>

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"
#include "tests/support/ipc_leak_check.h"

namespace ipcbox::testing {
namespace {

constexpr size_t kSize = 64 * 1024;

PosixName FreshName() {
  absl::StatusOr<PosixName> name = PosixName::Create(UniqueName("shm_fault"));
  EXPECT_TRUE(name.ok()) << name.status();
  return *name;
}

class PosixShmFaultTest : public ::testing::Test {
 protected:
  const LeakCheck leak_check_{"shm_fault"};
};

TEST_F(PosixShmFaultTest, CreationFailuresNameTheCallAndLeaveNothing) {
  struct Case {
    Syscall call;
    int error;
    const char* named;
  };
  for (const Case& c : {
           Case{Syscall::kShmOpen, ENOSPC, "shm_open"},
           Case{Syscall::kShmOpen, EMFILE, "shm_open"},
           Case{Syscall::kShmOpen, ENFILE, "shm_open"},
           Case{Syscall::kPosixFallocate, ENOSPC, "posix_fallocate"},
           Case{Syscall::kPosixFallocate, EFBIG, "posix_fallocate"},
           Case{Syscall::kPosixFallocate, EOPNOTSUPP, "posix_fallocate"},
           Case{Syscall::kPosixFallocate, EIO, "posix_fallocate"},
           Case{Syscall::kMmap, ENOMEM, "mmap"},
           Case{Syscall::kMmap, EAGAIN, "mmap"},
           Case{Syscall::kMmap, ENFILE, "mmap"},
       }) {
    SCOPED_TRACE(SyscallName(c.call));
    const absl::Status s = StatusUnderFault(
        c.call, FaultOn(-1, c.error, 1),
        [] { return posix::SharedMemory::Create(FreshName(), kSize); });
    EXPECT_TRUE(IsErrorNaming(s, c.named));
    if (c.error == ENOSPC) {
      EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
    }
  }
}

TEST_F(PosixShmFaultTest, EintrIsRetriedInShmOpenAndPosixFallocate) {
  const PosixName name = FreshName();
  ScopedFault open_storm(Syscall::kShmOpen, FaultOn(-1, EINTR, 50));
  ScopedFault reserve_storm(Syscall::kPosixFallocate, FaultOn(-1, EINTR, 50));
  absl::StatusOr<posix::SharedMemory> shm =
      posix::SharedMemory::Create(name, kSize);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(open_storm.injected(), 50);
  EXPECT_EQ(reserve_storm.injected(), 50);
  Tally(open_storm);
  Tally(reserve_storm);
  shm->mutable_bytes()[kSize - 1] = 7;  // the space is really there
}

TEST_F(PosixShmFaultTest, AFailedOpenOfAnExistingObjectLeavesIt) {
  const PosixName name = FreshName();
  absl::StatusOr<posix::SharedMemory> owner =
      posix::SharedMemory::Create(name, kSize);
  ASSERT_TRUE(owner.ok()) << owner.status();
  owner->mutable_bytes()[0] = 42;
  for (OpenMode mode : {OpenMode::kOpenExisting, OpenMode::kOpenOrCreate}) {
    ScopedFault no_memory(Syscall::kMmap, FaultOn(-1, ENOMEM, 1));
    SharedMemoryOptions options;
    options.open_mode = mode;
    absl::StatusOr<posix::SharedMemory> user =
        posix::SharedMemory::Open(name, kSize, options);
    EXPECT_TRUE(IsErrorNaming(user.status(), "mmap"));
    EXPECT_EQ(no_memory.injected(), 1);
    Tally(no_memory);
  }
  absl::StatusOr<posix::SharedMemory> again =
      posix::SharedMemory::OpenExisting(name, kSize);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->bytes()[0], 42);
}

// --- System V --------------------------------------------------------------

TEST(SysvShmFaultTest, ShmgetAndShmatFailuresNameTheCallAndLeaveNoSegment) {
  const IpcLeakCheck check;
  struct Case {
    Syscall call;
    int error;
    const char* named;
  };
  for (const Case& c : {
           Case{Syscall::kShmget, ENOSPC, "shmget"},
           Case{Syscall::kShmget, ENOMEM, "shmget"},
           Case{Syscall::kShmget, ENFILE, "shmget"},
           Case{Syscall::kShmat, ENOMEM, "shmat"},
           Case{Syscall::kShmat, EACCES, "shmat"},
           Case{Syscall::kShmat, EINVAL, "shmat"},
       }) {
    ExpectFailureNaming(c.call, FaultOn(-1, c.error, 1), c.named, [&] {
      return sysv::SharedMemory::CreatePrivate(kSize);
    });
  }
  check.ExpectNoneLeft();
}

TEST(SysvShmFaultTest, AFailedAttachOfAnExistingSegmentLeavesIt) {
  const IpcLeakCheck check;
  {
    const PosixName name = FreshName();
    absl::StatusOr<sysv::SharedMemory> owner =
        sysv::SharedMemory::Create(name, kSize);
    ASSERT_TRUE(owner.ok()) << owner.status();
    owner->mutable_bytes()[0] = 42;
    {
      ScopedFault no_memory(Syscall::kShmat, FaultOn(owner->id(), ENOMEM, 2));
      EXPECT_TRUE(IsErrorNaming(
          sysv::SharedMemory::OpenExisting(name, kSize).status(), "shmat"));
      EXPECT_TRUE(IsErrorNaming(
          sysv::SharedMemory::Attach(owner->id()).status(), "shmat"));
      EXPECT_EQ(no_memory.injected(), 2);
      Tally(no_memory);
    }
    absl::StatusOr<sysv::SharedMemory> user =
        sysv::SharedMemory::OpenExisting(name, kSize);
    ASSERT_TRUE(user.ok()) << user.status();
    EXPECT_EQ(user->bytes()[0], 42);
  }
  check.ExpectNoneLeft();
}

}  // namespace
}  // namespace ipcbox::testing
