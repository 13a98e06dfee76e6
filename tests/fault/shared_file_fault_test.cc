// lib/shared_file under injected faults. The writer builds the new contents
// in a staging file, fsyncs it and renames it over the shared file: short
// writes are continued and EINTR is retried (pwrite, fsync); ENOSPC, EIO,
// EDQUOT on pwrite, fsync or rename are errors naming the call, after
// which a reader still sees the previous contents whole, the staging file
// is gone, no descriptor leaked and the lock is free again.

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "ipcbox/shared_file/shared_file_reader.h"
#include "ipcbox/shared_file/shared_file_writer.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {
namespace {

constexpr absl::string_view kOld = "the previous contents, whole\n";
constexpr absl::string_view kNew1 = "Now is the winter of our discontent\n";
constexpr absl::string_view kNew2 =
    "Made glorious summer by this sun of York\n";

class SharedFileFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = UniqueTempPath("shared_file_fault");
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    dir_ = dir;
    path_ = dir_ + "/data.dat";
    absl::StatusOr<SharedFileWriter> writer = SharedFileWriter::Open(path_);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_.emplace(*std::move(writer));
    absl::StatusOr<WriteResult> wrote = writer_->Write(kOld);
    ASSERT_TRUE(wrote.ok()) << wrote.status();
    entries_ = DirectoryEntries(dir_.c_str());
    fds_ = OpenDescriptorCount();
  }
  void TearDown() override {
    writer_.reset();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  // What a reader sees now.
  std::string Contents() {
    absl::StatusOr<SharedFileReader> reader = SharedFileReader::Open(path_);
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return "(no reader)";
    char buf[256];
    absl::StatusOr<ReadResult> got = reader->Read(absl::MakeSpan(buf));
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok()) return "(no read)";
    return std::string(buf, got->size);
  }

  // After a failed write: the old contents, no staging file, no descriptor
  // more than before, and nobody holding the lock.
  void ExpectUntouched() {
    EXPECT_EQ(Contents(), kOld);
    EXPECT_EQ(DirectoryEntries(dir_.c_str()), entries_);
    EXPECT_EQ(OpenDescriptorCount(), fds_);
    absl::StatusOr<OfdLock> other = OfdLock::Open(path_);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_TRUE(other->TryLock(LockType::kExclusive).ok())
        << "a failed write must release its lock";
  }

  std::string dir_;
  std::string path_;
  std::optional<SharedFileWriter> writer_;
  std::set<std::string> entries_;
  int fds_ = 0;
};

TEST_F(SharedFileFaultTest, ShortWritesAreContinuedAndEintrRetried) {
  {
    Fault short_writes;
    short_writes.max_bytes = 3;
    short_writes.count = -1;
    ScopedFault fault(Syscall::kPwrite, short_writes);
    absl::StatusOr<WriteResult> wrote = writer_->Write({kNew1, kNew2});
    ASSERT_TRUE(wrote.ok()) << wrote.status();
    EXPECT_EQ(wrote->size, kNew1.size() + kNew2.size());
    // ceil(n / 3) calls for each record.
    EXPECT_EQ(fault.injected(),
              (kNew1.size() + 2) / 3 + (kNew2.size() + 2) / 3);
    Tally(fault);
  }
  EXPECT_EQ(Contents(), absl::StrCat(kNew1, kNew2));
  {
    ScopedFault writes(Syscall::kPwrite, FaultOn(-1, EINTR, 50));
    ScopedFault syncs(Syscall::kFsync, FaultOn(-1, EINTR, 50));
    absl::StatusOr<WriteResult> wrote = writer_->Write(kOld);
    ASSERT_TRUE(wrote.ok()) << wrote.status();
    EXPECT_EQ(writes.injected(), 50);
    EXPECT_EQ(syncs.injected(), 50);
    Tally(writes);
    Tally(syncs);
  }
  EXPECT_EQ(Contents(), kOld);
}

TEST_F(SharedFileFaultTest, AFailedWriteLeavesThePreviousContents) {
  struct Case {
    Syscall call;
    int error;
    int skip;  // calls let through first: the failure's position
    const char* named;
  };
  for (const Case& c : {
           Case{Syscall::kPwrite, ENOSPC, 0, "pwrite"},
           Case{Syscall::kPwrite, ENOSPC, 1, "pwrite"},  // second record
           Case{Syscall::kPwrite, EDQUOT, 0, "pwrite"},
           Case{Syscall::kPwrite, EIO, 1, "pwrite"},
           Case{Syscall::kPwrite, EFBIG, 0, "pwrite"},
           Case{Syscall::kFsync, ENOSPC, 0, "fsync"},
           Case{Syscall::kFsync, EIO, 0, "fsync"},
           Case{Syscall::kFsync, EDQUOT, 0, "fsync"},
           Case{Syscall::kRename, ENOSPC, 0, "rename"},
           Case{Syscall::kRename, EIO, 0, "rename"},
           Case{Syscall::kRename, EACCES, 0, "rename"},
           Case{Syscall::kRename, EROFS, 0, "rename"},
       }) {
    SCOPED_TRACE(::ipcbox::testing::SyscallName(c.call));
    SCOPED_TRACE(c.error);
    SCOPED_TRACE(c.skip);
    Fault f = FaultOn(-1, c.error, 1);
    f.skip = c.skip;
    ExpectFailureNaming(c.call, f, c.named, [&] {
      return writer_->Write({kNew1, kNew2});
    });
    ExpectUntouched();
  }
  // And the writer still works.
  absl::StatusOr<WriteResult> wrote = writer_->Write({kNew1, kNew2});
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_EQ(Contents(), absl::StrCat(kNew1, kNew2));
}

}  // namespace
}  // namespace ipcbox::testing
