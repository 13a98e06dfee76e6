// lib/shared_file between real processes: what a writer and a reader see of
// each other, the four situations a consumer tells apart (absent, locked by
// pid N, empty, data), and that a reader never sees half of an update.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "ipcbox/shared_file/shared_file_reader.h"
#include "ipcbox/shared_file/shared_file_writer.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/privileges.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kLines =
    "Now is the winter of our discontent\n"
    "Made glorious summer by this sun of York\n";

class SharedFileTest : public ::testing::Test {
 protected:
  SharedFileTest() : file_("shared_file_test") {}
  const std::string& path() const { return file_.path(); }

  SharedFileWriter Writer() {
    absl::StatusOr<SharedFileWriter> writer = SharedFileWriter::Open(path());
    EXPECT_TRUE(writer.ok()) << writer.status();
    return *std::move(writer);
  }

  SharedFileReader Reader() {
    absl::StatusOr<SharedFileReader> reader = SharedFileReader::Open(path());
    EXPECT_TRUE(reader.ok()) << reader.status();
    return *std::move(reader);
  }

  // Reads the whole file with a fresh reader; "" unless it had data.
  std::string ReadAll() {
    char buf[1 << 16];
    absl::StatusOr<ReadResult> r = Reader().Read(absl::MakeSpan(buf));
    if (!r.ok() || r->state != ReadState::kData) return "";
    return std::string(buf, r->size);
  }

 private:
  TempPath file_;
};

TEST_F(SharedFileTest, WriterCreatesTheFileAndReaderReadsTheRecords) {
  SharedFileWriter writer = Writer();
  EXPECT_TRUE(writer.created());
  absl::StatusOr<WriteResult> w =
      writer.Write({"Now is the winter of our discontent\n",
                    "Made glorious summer by this sun of York\n"});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->state, WriteState::kWritten);
  EXPECT_EQ(w->size, kLines.size());
  EXPECT_EQ(ReadAll(), kLines);
  struct stat st;
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SharedFileTest, WriterAppliesTheRequestedMode) {
  SharedFileWriterOptions options;
  options.permissions = *Permissions::FromMode(0666);
  const mode_t old_umask = ::umask(022);
  absl::StatusOr<SharedFileWriter> writer =
      SharedFileWriter::Open(path(), options);
  ::umask(old_umask);
  ASSERT_TRUE(writer.ok()) << writer.status();
  struct stat st;
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);
}

TEST_F(SharedFileTest, AShorterWriteLeavesNoOldTail) {
  SharedFileWriter writer = Writer();
  ASSERT_TRUE(writer.Write(std::string(1000, 'x')).ok());
  ASSERT_TRUE(writer.Write("short\n").ok());
  EXPECT_EQ(ReadAll(), "short\n");
}

// --- The four situations a consumer tells apart ------------------------------

TEST_F(SharedFileTest, AbsentIsNotFound) {
  absl::StatusOr<SharedFileReader> reader = SharedFileReader::Open(path());
  EXPECT_TRUE(absl::IsNotFound(reader.status())) << reader.status();
  EXPECT_NE(::access(path().c_str(), F_OK), 0) << "a reader must not create";
}

TEST_F(SharedFileTest, EmptyIsNotData) {
  { SharedFileWriter writer = Writer(); }  // creates, writes nothing
  char buf[16];
  SharedFileReader reader = Reader();
  absl::StatusOr<ReadResult> r = reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kEmpty);
  EXPECT_EQ(r->size, 0u);
  r = reader.ReadChunks(absl::MakeSpan(buf),
                        [](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kEmpty);
}

TEST_F(SharedFileTest, LockedNamesTheWritersPid) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  absl::StatusOr<LockHolder<FcntlLock>> writer =
      LockHolder<FcntlLock>::Start(path(), LockType::kExclusive);
  ASSERT_TRUE(writer.ok()) << writer.status();
  char buf[256];
  absl::StatusOr<ReadResult> r = Reader().Read(absl::MakeSpan(buf));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kLocked);
  ASSERT_TRUE(r->holder.has_value());
  EXPECT_EQ(r->holder->pid, writer->pid());
  EXPECT_EQ(r->holder->type, LockType::kExclusive);
  EXPECT_TRUE(ExitedWith(writer->Release(), 0));
  EXPECT_EQ(ReadAll(), kLines);
}

TEST_F(SharedFileTest, LockedByAnOfdWriterHasNoPid) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  absl::StatusOr<LockHolder<OfdLock>> writer =
      LockHolder<OfdLock>::Start(path(), LockType::kExclusive);
  ASSERT_TRUE(writer.ok()) << writer.status();
  char buf[256];
  absl::StatusOr<ReadResult> r = Reader().Read(absl::MakeSpan(buf));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kLocked);
  ASSERT_TRUE(r->holder.has_value());
  EXPECT_EQ(r->holder->pid, kOpenFileDescriptionOwner);
  EXPECT_TRUE(ExitedWith(writer->Release(), 0));
}

TEST_F(SharedFileTest, ReadersDoNotStopReaders) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  absl::StatusOr<LockHolder<FcntlLock>> other_reader =
      LockHolder<FcntlLock>::Start(path(), LockType::kShared);
  ASSERT_TRUE(other_reader.ok()) << other_reader.status();
  EXPECT_EQ(ReadAll(), kLines);
  EXPECT_TRUE(ExitedWith(other_reader->Release(), 0));
}

TEST_F(SharedFileTest, AWriterIsToldWhichReaderIsInTheWay) {
  SharedFileWriter writer = Writer();
  ASSERT_TRUE(writer.Write(kLines).ok());
  absl::StatusOr<LockHolder<FcntlLock>> reader =
      LockHolder<FcntlLock>::Start(path(), LockType::kShared);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<WriteResult> w = writer.Write("new\n");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->state, WriteState::kLocked);
  ASSERT_TRUE(w->holder.has_value());
  EXPECT_EQ(w->holder->pid, reader->pid());
  EXPECT_EQ(w->holder->type, LockType::kShared);
  EXPECT_EQ(ReadAll(), kLines) << "nothing may be written when locked";
  w = writer.Write("new\n", Deadline::After(absl::Milliseconds(50)));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, WriteState::kLocked);
  EXPECT_TRUE(ExitedWith(reader->Release(), 0));
  w = writer.Write("new\n");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, WriteState::kWritten);
}

TEST_F(SharedFileTest, AReaderWithADeadlineWaitsForTheWriter) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  absl::StatusOr<LockHolder<FcntlLock>> writer =
      LockHolder<FcntlLock>::Start(path(), LockType::kExclusive);
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::StatusOr<ChildProcess> releaser = ForkChild([&] {
    ::usleep(150 * 1000);
    writer->SignalRelease();
  });
  ASSERT_TRUE(releaser.ok());
  char buf[256];
  absl::StatusOr<ReadResult> r =
      Reader().Read(absl::MakeSpan(buf), Deadline::After(kPeerTimeout));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kData);
  EXPECT_EQ(absl::string_view(buf, r->size), kLines);
  EXPECT_TRUE(ExitedWith(releaser->Wait(kPeerTimeout), 0));
  EXPECT_TRUE(ExitedWith(writer->child().Wait(kPeerTimeout), 0));
}

// --- Reading
// ------------------------------------------------------------------

TEST_F(SharedFileTest, ABufferTooSmallIsAnErrorAndReleasesTheLock) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  SharedFileReader reader = Reader();
  char buf[10];
  absl::StatusOr<ReadResult> r = reader.Read(absl::MakeSpan(buf));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted)
      << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr(absl::StrCat("holds ", kLines.size(), " bytes")));
  absl::StatusOr<WriteResult> w = Writer().Write("after\n");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, WriteState::kWritten) << "the reader kept its lock";
}

TEST_F(SharedFileTest, ABufferOfExactlyTheFileSizeIsEnough) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  std::string buf(kLines.size(), '\0');
  absl::StatusOr<ReadResult> r = Reader().Read(absl::MakeSpan(buf));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(buf, kLines);
}

TEST_F(SharedFileTest, ReadChunksDeliversTheFileInPieces) {
  std::string big;
  for (int i = 0; i < 1000; ++i) big += "record " + std::to_string(i) + "\n";
  ASSERT_TRUE(Writer().Write(big).ok());
  char scratch[7];
  std::string got;
  int chunks = 0;
  absl::StatusOr<ReadResult> r =
      Reader().ReadChunks(absl::MakeSpan(scratch), [&](absl::string_view c) {
        got.append(c.data(), c.size());
        ++chunks;
        return absl::OkStatus();
      });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, ReadState::kData);
  EXPECT_EQ(r->size, big.size());
  EXPECT_EQ(got, big);
  EXPECT_GE(chunks, static_cast<int>(big.size() / sizeof(scratch)));
}

TEST_F(SharedFileTest, ASinkErrorStopsTheReadAndReleasesTheLock) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  char scratch[8];
  int calls = 0;
  absl::StatusOr<ReadResult> r =
      Reader().ReadChunks(absl::MakeSpan(scratch), [&](absl::string_view) {
        ++calls;
        return absl::DataLossError("disk full");
      });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1);
  absl::StatusOr<WriteResult> w = Writer().Write("after\n");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, WriteState::kWritten);
}

TEST_F(SharedFileTest, ReadChunksRefusesAnEmptyScratchBuffer) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  absl::StatusOr<ReadResult> r = Reader().ReadChunks(
      absl::Span<char>(), [](absl::string_view) { return absl::OkStatus(); });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Opening
// ------------------------------------------------------------------

TEST_F(SharedFileTest, OpenRefusesSymbolicLinks) {
  TempPath target("shared_file_target");
  ASSERT_EQ(::close(::open(target.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  ASSERT_EQ(::symlink(target.c_str(), path().c_str()), 0);
  EXPECT_EQ(SharedFileWriter::Open(path()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SharedFileReader::Open(path()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Root's CAP_DAC_OVERRIDE reads a mode 0 file anyway, so the reader runs in a
// child that has given that capability up (a no-op for other users).
TEST_F(SharedFileTest, AnUnreadableFileIsPermissionDeniedNotAbsent) {
  ASSERT_TRUE(Writer().Write(kLines).ok());
  ASSERT_EQ(::chmod(path().c_str(), 0), 0);
  constexpr int kCannotDropPrivileges = 77;
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    if (!DropFileAccessOverride()) {
      return kCannotDropPrivileges;
    }
    const absl::Status status = SharedFileReader::Open(path()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const ExitResult result = child->Wait(kPeerTimeout);
  if (result.exited_with(kCannotDropPrivileges)) {
    GTEST_SKIP() << "capset() refused to drop CAP_DAC_OVERRIDE";
  }
  EXPECT_TRUE(ExitedWith(result, 0));
}

// --- Atomicity between processes ---------------------------------------------

TEST_F(SharedFileTest, AReaderNeverSeesHalfAnUpdate) {
  // The writer alternates two contents of different sizes, each written as
  // many small records; every read must be exactly one of them.
  const std::string a(3000, 'a');
  const std::string b(1000, 'b');
  ASSERT_TRUE(Writer().Write(a).ok());
  absl::StatusOr<ChildProcess> writer = ForkChild([&]() -> int {
    absl::StatusOr<SharedFileWriter> w = SharedFileWriter::Open(path());
    if (!w.ok()) return 2;
    std::vector<absl::string_view> records;
    for (int round = 0; round < 300; ++round) {
      const std::string& content = round % 2 == 0 ? b : a;
      records.clear();
      for (size_t i = 0; i < content.size(); i += 100) {
        records.push_back(absl::string_view(content).substr(i, 100));
      }
      absl::StatusOr<WriteResult> r =
          w->Write(absl::MakeConstSpan(records), Deadline::After(kPeerTimeout));
      if (!r.ok() || r->state != WriteState::kWritten) return 3;
    }
    return 0;
  });
  ASSERT_TRUE(writer.ok());
  std::string buf(4096, '\0');
  int reads = 0;
  SharedFileReader reader = Reader();
  while (!writer->Poll().has_value()) {
    absl::StatusOr<ReadResult> r =
        reader.Read(absl::MakeSpan(buf), Deadline::After(kPeerTimeout));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->state, ReadState::kData);
    const absl::string_view got(buf.data(), r->size);
    ASSERT_TRUE(got == a || got == b)
        << "torn read of " << got.size() << " bytes after " << reads;
    ++reads;
  }
  EXPECT_TRUE(ExitedWith(writer->Wait(kPeerTimeout), 0));
}

}  // namespace
}  // namespace ipcbox::testing
