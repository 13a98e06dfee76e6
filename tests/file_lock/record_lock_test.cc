// What the two record-lock backends (FcntlLock, OfdLock) add to the FileLock
// concept: byte ranges (overlapping, disjoint, past the end of the file,
// invalid), the F_GETLK query, and the access mode a lock type needs.

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMaxOffset = std::numeric_limits<int64_t>::max();

template <typename LockT>
class RecordLockTest : public LockFileTest<LockT> {
 protected:
  // The pid FindConflict() should report for a holder of this lock type.
  static pid_t ExpectedPid(pid_t holder) {
    return std::is_same_v<LockT, OfdLock> ? kOpenFileDescriptionOwner : holder;
  }
};

using RecordBackends = ::testing::Types<FcntlLock, OfdLock>;

class RecordBackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, FcntlLock> ? "fcntl" : "ofd";
  }
};

TYPED_TEST_SUITE(RecordLockTest, RecordBackends, RecordBackendNames);

// --- Ranges between processes
// -------------------------------------------------

TYPED_TEST(RecordLockTest, DisjointRangesDoNotConflict) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.TryLock(LockType::kExclusive, ByteRange::Of(0, 100)).ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(100, 100)),
            Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::From(100)),
            Outcome::kOk);
}

TYPED_TEST(RecordLockTest, OverlappingRangesConflict) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.TryLock(LockType::kExclusive, ByteRange::Of(100, 50)).ok());
  // Overlap by one byte at either end, inside, around, unbounded.
  for (ByteRange range :
       {ByteRange::Of(50, 51), ByteRange::Of(149, 10), ByteRange::Of(120, 5),
        ByteRange::Of(0, 1000), ByteRange::From(149), ByteRange::WholeFile()}) {
    EXPECT_EQ(this->TryInChild(LockType::kShared, range), Outcome::kWouldBlock)
        << range;
  }
  // Adjacent on both sides is not an overlap.
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(50, 50)),
            Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::From(150)),
            Outcome::kOk);
}

TYPED_TEST(RecordLockTest, OverlappingSharedRangesCoexist) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.TryLock(LockType::kShared, ByteRange::Of(0, 100)).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared, ByteRange::Of(50, 100)),
            Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(50, 100)),
            Outcome::kWouldBlock);
}

TYPED_TEST(RecordLockTest, TwoProcessesHoldDisjointRangesAtOnce) {
  absl::StatusOr<LockHolder<TypeParam>> first = LockHolder<TypeParam>::Start(
      this->path(), LockType::kExclusive, ByteRange::Of(0, 10));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<LockHolder<TypeParam>> second = LockHolder<TypeParam>::Start(
      this->path(), LockType::kExclusive, ByteRange::Of(10, 10));
  ASSERT_TRUE(second.ok()) << second.status();
  TypeParam lock = this->OpenOrDie();
  EXPECT_TRUE(
      IsWouldBlock(lock.TryLock(LockType::kShared, ByteRange::Of(5, 1))));
  EXPECT_TRUE(
      IsWouldBlock(lock.TryLock(LockType::kShared, ByteRange::Of(15, 1))));
  EXPECT_TRUE(lock.TryLock(LockType::kExclusive, ByteRange::From(20)).ok());
  EXPECT_TRUE(ExitedWith(first->Release(), 0));
  EXPECT_TRUE(lock.TryLock(LockType::kExclusive, ByteRange::Of(0, 10)).ok());
  EXPECT_TRUE(
      IsWouldBlock(lock.TryLock(LockType::kExclusive, ByteRange::Of(10, 10))));
  EXPECT_TRUE(ExitedWith(second->Release(), 0));
}

TYPED_TEST(RecordLockTest, WaitingForOneRangeIsNotDisturbedByAnother) {
  absl::StatusOr<LockHolder<TypeParam>> holder = LockHolder<TypeParam>::Start(
      this->path(), LockType::kExclusive, ByteRange::Of(0, 10));
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();
  EXPECT_TRUE(lock.LockFor(LockType::kExclusive, absl::Seconds(5),
                           ByteRange::Of(10, 10))
                  .ok());
  EXPECT_TRUE(IsTimedOut(lock.LockFor(
      LockType::kExclusive, absl::Milliseconds(50), ByteRange::Of(9, 2))));
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

TYPED_TEST(RecordLockTest, UnlockingPartOfARangeKeepsTheRest) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.Lock(LockType::kExclusive, ByteRange::Of(0, 100)).ok());
  ASSERT_TRUE(lock.Unlock(ByteRange::Of(40, 20)).ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(40, 20)),
            Outcome::kOk);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(39, 1)),
            Outcome::kWouldBlock);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(60, 1)),
            Outcome::kWouldBlock);
  ASSERT_TRUE(lock.Unlock().ok());
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::WholeFile()),
            Outcome::kOk);
}

// --- Past the end of the file
// -------------------------------------------------

TYPED_TEST(RecordLockTest, ARangePastTheEndOfTheFileIsLockedAndNotWritten) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_EQ(FileSize(this->path()), 0);
  const ByteRange beyond = ByteRange::Of(1 << 20, 4096);
  ASSERT_TRUE(lock.TryLock(LockType::kExclusive, beyond).ok());
  EXPECT_EQ(FileSize(this->path()), 0) << "locking must not extend the file";
  EXPECT_EQ(this->TryInChild(LockType::kShared, ByteRange::Of(1 << 20, 1)),
            Outcome::kWouldBlock);
  EXPECT_EQ(this->TryInChild(LockType::kExclusive, ByteRange::Of(0, 1 << 20)),
            Outcome::kOk);
}

TYPED_TEST(RecordLockTest, TheLastRepresentableByteCanBeLocked) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(
      lock.TryLock(LockType::kExclusive, ByteRange::Of(kMaxOffset, 1)).ok());
  EXPECT_EQ(this->TryInChild(LockType::kShared, ByteRange::From(kMaxOffset)),
            Outcome::kWouldBlock);
  EXPECT_EQ(
      this->TryInChild(LockType::kShared, ByteRange::Of(kMaxOffset - 1, 1)),
      Outcome::kOk);
}

TYPED_TEST(RecordLockTest, AnUnboundedRangeCoversWhatTheFileGrowsInto) {
  TypeParam lock = this->OpenOrDie();
  ASSERT_TRUE(lock.TryLock(LockType::kExclusive, ByteRange::From(10)).ok());
  ASSERT_EQ(::pwrite(lock.fd(), "x", 1, 5000), 1);
  EXPECT_EQ(this->TryInChild(LockType::kShared, ByteRange::Of(4000, 2000)),
            Outcome::kWouldBlock);
  EXPECT_EQ(this->TryInChild(LockType::kShared, ByteRange::Of(1 << 30, 1)),
            Outcome::kWouldBlock);
}

// --- Bad ranges
// ---------------------------------------------------------------

TYPED_TEST(RecordLockTest, InvalidRangesAreRejectedBeforeAnySystemCall) {
  TypeParam lock = this->OpenOrDie();
  for (ByteRange range :
       {ByteRange::Of(-1, 10), ByteRange::Of(0, -1),
        ByteRange::Of(std::numeric_limits<int64_t>::min(), 0),
        ByteRange::Of(kMaxOffset, 2), ByteRange::Of(2, kMaxOffset),
        ByteRange::Of(kMaxOffset, kMaxOffset)}) {
    for (const absl::Status& s :
         {lock.Lock(LockType::kExclusive, range),
          lock.TryLock(LockType::kShared, range),
          lock.LockFor(LockType::kExclusive, absl::Seconds(1), range),
          lock.LockUntil(LockType::kExclusive, Deadline::Infinite(), range),
          lock.Unlock(range),
          lock.FindConflict(LockType::kExclusive, range).status()}) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
          << range.start << "," << range.length << ": " << s;
      EXPECT_THAT(s.message(), HasSubstr("byte range"));
    }
  }
  // Ranges that end exactly at the largest offset are fine.
  EXPECT_TRUE(
      lock.TryLock(LockType::kExclusive, ByteRange::Of(1, kMaxOffset)).ok());
  EXPECT_TRUE(
      lock.TryLock(LockType::kExclusive, ByteRange::Of(0, kMaxOffset)).ok());
  EXPECT_TRUE(lock.Unlock(ByteRange::Of(0, kMaxOffset)).ok());
}

// --- The query
// ----------------------------------------------------------------

TYPED_TEST(RecordLockTest, FindConflictReportsNothingWhenFree) {
  TypeParam lock = this->OpenOrDie();
  absl::StatusOr<std::optional<LockConflict>> conflict =
      lock.FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_FALSE(conflict->has_value());
}

TYPED_TEST(RecordLockTest, FindConflictReportsTypeRangeAndHolder) {
  absl::StatusOr<LockHolder<TypeParam>> holder = LockHolder<TypeParam>::Start(
      this->path(), LockType::kExclusive, ByteRange::Of(100, 50));
  ASSERT_TRUE(holder.ok()) << holder.status();
  TypeParam lock = this->OpenOrDie();

  absl::StatusOr<std::optional<LockConflict>> conflict =
      lock.FindConflict(LockType::kShared);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  ASSERT_TRUE(conflict->has_value());
  EXPECT_EQ((*conflict)->type, LockType::kExclusive);
  EXPECT_EQ((*conflict)->range, ByteRange::Of(100, 50));
  EXPECT_EQ((*conflict)->pid, this->ExpectedPid(holder->pid()));

  // Outside the held range: nothing in the way.
  conflict = lock.FindConflict(LockType::kExclusive, ByteRange::Of(0, 100));
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_FALSE(conflict->has_value());
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
  conflict = lock.FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok());
  EXPECT_FALSE(conflict->has_value());
}

TYPED_TEST(RecordLockTest, FindConflictSeesReadersOnlyWhenAskingToWrite) {
  absl::StatusOr<LockHolder<TypeParam>> reader = LockHolder<TypeParam>::Start(
      this->path(), LockType::kShared, ByteRange::From(0));
  ASSERT_TRUE(reader.ok()) << reader.status();
  TypeParam lock = this->OpenOrDie();
  absl::StatusOr<std::optional<LockConflict>> conflict =
      lock.FindConflict(LockType::kShared);
  ASSERT_TRUE(conflict.ok());
  EXPECT_FALSE(conflict->has_value()) << "readers do not stop readers";
  conflict = lock.FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok());
  ASSERT_TRUE(conflict->has_value());
  EXPECT_EQ((*conflict)->type, LockType::kShared);
  EXPECT_EQ((*conflict)->range, ByteRange::WholeFile());
  EXPECT_EQ((*conflict)->pid, this->ExpectedPid(reader->pid()));
  EXPECT_TRUE(ExitedWith(reader->Release(), 0));
}

TYPED_TEST(RecordLockTest, FindConflictNeedsNoParticularAccessMode) {
  absl::StatusOr<LockHolder<TypeParam>> holder =
      LockHolder<TypeParam>::Start(this->path(), LockType::kShared);
  ASSERT_TRUE(holder.ok()) << holder.status();
  LockFileOptions read_only;
  read_only.access = LockFileAccess::kReadOnly;
  TypeParam lock = this->OpenOrDie(read_only);
  // The seed consumer's check: F_GETLK for a write lock on a read-only fd.
  absl::StatusOr<std::optional<LockConflict>> conflict =
      lock.FindConflict(LockType::kExclusive);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_TRUE(conflict->has_value());
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

// --- Access modes
// -------------------------------------------------------------

TYPED_TEST(RecordLockTest, ExclusiveLockOnAReadOnlyFileIsAClearError) {
  { TypeParam create = this->OpenOrDie(); }
  LockFileOptions read_only;
  read_only.open_mode = OpenMode::kOpenExisting;
  read_only.access = LockFileAccess::kReadOnly;
  TypeParam lock = this->OpenOrDie(read_only);
  for (const absl::Status& s :
       {lock.Lock(LockType::kExclusive), lock.TryLock(LockType::kExclusive),
        lock.LockFor(LockType::kExclusive, absl::Seconds(1))}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(s.message(), HasSubstr("open for writing"));
    EXPECT_THAT(s.message(), HasSubstr("read-only"));
  }
  EXPECT_TRUE(lock.TryLock(LockType::kShared).ok());
}

TYPED_TEST(RecordLockTest, SharedLockOnAWriteOnlyFileIsAClearError) {
  LockFileOptions write_only;
  write_only.access = LockFileAccess::kWriteOnly;
  TypeParam lock = this->OpenOrDie(write_only);
  const absl::Status s = lock.TryLock(LockType::kShared);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("open for reading"));
  EXPECT_THAT(s.message(), HasSubstr("write-only"));
  EXPECT_TRUE(lock.TryLock(LockType::kExclusive).ok());
}

TYPED_TEST(RecordLockTest, ErrorMessagesNameTheCallAndTheRange) {
  LockFileOptions read_only;
  read_only.access = LockFileAccess::kReadOnly;
  TypeParam lock = this->OpenOrDie(read_only);
  const absl::Status s =
      lock.TryLock(LockType::kExclusive, ByteRange::Of(10, 5));
  EXPECT_THAT(s.message(),
              HasSubstr(std::is_same_v<TypeParam, OfdLock> ? "F_OFD_SETLK"
                                                           : "F_SETLK"));
  EXPECT_THAT(s.message(), HasSubstr("[10, 15)"));
}

}  // namespace
}  // namespace ipcbox::testing
