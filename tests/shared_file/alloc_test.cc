// Reading and writing a shared file do not allocate, whatever the outcome:
// data, empty, locked (with the holder identified).

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/shared_file/shared_file_reader.h"
#include "ipcbox/shared_file/shared_file_writer.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::string_view kLines =
    "Now is the winter of our discontent\n"
    "Made glorious summer by this sun of York\n";

// A file holding kLines, with a writer and a reader opened on it.
class SharedFileAllocTest : public ::testing::Test {
 protected:
  SharedFileAllocTest() : file_("shared_file_alloc") {}

  void SetUp() override {
    absl::StatusOr<SharedFileWriter> writer =
        SharedFileWriter::Open(file_.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(writer->Write(kLines).ok());
    absl::StatusOr<SharedFileReader> reader =
        SharedFileReader::Open(file_.path());
    ASSERT_TRUE(reader.ok()) << reader.status();
    writer_.emplace(*std::move(writer));
    reader_.emplace(*std::move(reader));
  }

  TempPath file_;
  std::optional<SharedFileWriter> writer_;
  std::optional<SharedFileReader> reader_;
};

TEST_F(SharedFileAllocTest, WriteAndReadDoNotAllocate) {
  char buf[256];
  char scratch[16];

  int data = 0;
  int empty = 0;
  int written = 0;
  int other = 0;
  AllocationCounter counter;
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<WriteResult> w =
        writer_->Write({"Now is the winter of our discontent\n",
                        "Made glorious summer by this sun of York\n"});
    (w.ok() && w->state == WriteState::kWritten) ? ++written : ++other;
    absl::StatusOr<ReadResult> r = reader_->Read(absl::MakeSpan(buf));
    (r.ok() && r->state == ReadState::kData) ? ++data : ++other;
    r = reader_->ReadChunks(
        absl::MakeSpan(scratch),
        [](absl::string_view) { return absl::OkStatus(); },
        Deadline::After(absl::Seconds(5)));
    (r.ok() && r->state == ReadState::kData) ? ++data : ++other;
    w = writer_->Write(absl::string_view());
    (w.ok() && w->state == WriteState::kWritten) ? ++written : ++other;
    r = reader_->Read(absl::MakeSpan(buf));
    (r.ok() && r->state == ReadState::kEmpty) ? ++empty : ++other;
  }
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  EXPECT_EQ(other, 0);
  EXPECT_EQ(data, 400);
  EXPECT_EQ(empty, 200);
  EXPECT_EQ(written, 400);
}

TEST_F(SharedFileAllocTest, LockedOutcomesDoNotAllocate) {
  absl::StatusOr<LockHolder<FcntlLock>> holder =
      LockHolder<FcntlLock>::Start(file_.path(), LockType::kExclusive);
  ASSERT_TRUE(holder.ok()) << holder.status();
  char buf[256];
  // Warm-up: the timed wait installs the timeout signal's handler.
  ASSERT_TRUE(
      reader_->Read(absl::MakeSpan(buf), Deadline::After(absl::Milliseconds(1)))
          .ok());

  int locked = 0;
  int other = 0;
  AllocationCounter counter;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<ReadResult> r = reader_->Read(absl::MakeSpan(buf));
    (r.ok() && r->state == ReadState::kLocked && r->holder.has_value())
        ? ++locked
        : ++other;
    r = reader_->Read(absl::MakeSpan(buf),
                      Deadline::After(absl::Milliseconds(2)));
    (r.ok() && r->state == ReadState::kLocked) ? ++locked : ++other;
    absl::StatusOr<WriteResult> w = writer_->Write(kLines);
    (w.ok() && w->state == WriteState::kLocked && w->holder.has_value())
        ? ++locked
        : ++other;
  }
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  EXPECT_EQ(other, 0);
  EXPECT_EQ(locked, 60);
  EXPECT_TRUE(ExitedWith(holder->Release(), 0));
}

// A blind counter would pass every check above: the counter in this binary
// sees an injected allocation (one new, one malloc).
TEST(SharedFileAllocControlTest, TheCounterSeesAnInjectedAllocation) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(InjectTwoAllocations()),
                          "made 2 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox::testing
