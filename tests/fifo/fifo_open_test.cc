// Opening the ends of a FIFO: the kernel's rules as separate calls (timed,
// non-blocking, the no-reader status), the end mode of what comes back,
// and the refusal to open anything but a FIFO. Cases that need the peer in
// another process are in multiprocess_test.cc.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/fifo/no_reader.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "tests/fifo/fifo_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::LstatMode;
using ::ipcbox::testing::ReadFile;
using ::ipcbox::testing::ScopedPath;
using ::ipcbox::testing::Stopwatch;
using ::ipcbox::testing::WriteFile;
using ::testing::HasSubstr;

constexpr absl::Duration kShortWait = absl::Milliseconds(200);

class FifoOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Fifo> fifo = Fifo::Create(path_.path());
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    fifo_ = *std::move(fifo);
  }
  const std::string& path() const { return path_.path(); }

  ScopedPath path_{"fifo_open_test"};
  Fifo fifo_;
};

bool HasFlag(int fd, int flag) { return (::fcntl(fd, F_GETFL) & flag) != 0; }
bool IsCloseOnExec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

TEST_F(FifoOpenTest, NonBlockingWriteOpenWithoutReaderIsNoReader) {
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path());
  ASSERT_FALSE(writer.ok());
  EXPECT_TRUE(IsNoReader(writer.status())) << writer.status();
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(writer.status().message(), HasSubstr("ENXIO"));
  // The path, quoted (long ones are cut, hence only its start).
  EXPECT_THAT(std::string(writer.status().message()),
              HasSubstr("open(\"" + path().substr(0, 40)));
}

TEST_F(FifoOpenTest, NoReaderIsItsOwnStatus) {
  // EPIPE is kFailedPrecondition too; only the real thing is IsNoReader().
  EXPECT_FALSE(IsNoReader(absl::FailedPreconditionError("Broken pipe")));
  EXPECT_FALSE(IsNoReader(absl::OkStatus()));
  EXPECT_TRUE(IsNoReader(NoReaderError("/x")));
}

TEST_F(FifoOpenTest, NonBlockingReadOpenSucceedsWithoutWriter) {
  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(path());
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE(reader->nonblocking());
  EXPECT_TRUE(HasFlag(reader->fd().get(), O_NONBLOCK));
  EXPECT_TRUE(IsCloseOnExec(reader->fd().get()));
  // The documented pitfall: with no writer (yet), read(2) returns 0.
  char buf[8];
  EXPECT_TRUE(IsEndOfStream(reader->Read(absl::MakeSpan(buf)).status()));
}

TEST_F(FifoOpenTest, WithAReaderTheNonBlockingWriteOpenSucceeds) {
  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(path());
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(writer->nonblocking());
  EXPECT_TRUE(IsCloseOnExec(writer->fd().get()));

  ASSERT_TRUE(writer->WriteAll("through the fifo").ok());
  char buf[16];
  ASSERT_TRUE(
      reader->ReadFull(absl::MakeSpan(buf), Deadline::After(absl::Seconds(10)))
          .ok());
  EXPECT_EQ(absl::string_view(buf, sizeof(buf)), "through the fifo");
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(IsEndOfStream(reader->Read(absl::MakeSpan(buf)).status()));
}

TEST_F(FifoOpenTest, EndModeIsIndependentOfHowTheOpenWaited) {
  absl::StatusOr<PipeReader> reader =
      TryOpenFifoReader(path(), FifoEndMode::kBlocking);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_FALSE(reader->nonblocking());
  EXPECT_FALSE(HasFlag(reader->fd().get(), O_NONBLOCK));

  absl::StatusOr<PipeWriter> writer = OpenFifoWriter(
      path(), Deadline::After(absl::Seconds(10)), FifoEndMode::kBlocking);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_FALSE(writer->nonblocking());
  EXPECT_FALSE(HasFlag(writer->fd().get(), O_NONBLOCK));

  absl::StatusOr<PipeWriter> nonblocking_writer = OpenFifoWriter(
      path(), Deadline::After(absl::Seconds(10)), FifoEndMode::kNonBlocking);
  ASSERT_TRUE(nonblocking_writer.ok()) << nonblocking_writer.status();
  EXPECT_TRUE(HasFlag(nonblocking_writer->fd().get(), O_NONBLOCK));
}

TEST_F(FifoOpenTest, TimedReadOpenTimesOutWithoutWriter) {
  Stopwatch watch;
  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(path(), Deadline::After(kShortWait));
  EXPECT_TRUE(IsTimedOut(reader.status())) << reader.status();
  EXPECT_GE(watch.Elapsed(), absl::Milliseconds(200));
}

TEST_F(FifoOpenTest, TimedWriteOpenTimesOutWithoutReader) {
  Stopwatch watch;
  absl::StatusOr<PipeWriter> writer =
      OpenFifoWriter(path(), Deadline::After(kShortWait));
  EXPECT_TRUE(IsTimedOut(writer.status())) << writer.status();
  EXPECT_GE(watch.Elapsed(), absl::Milliseconds(200));
}

TEST_F(FifoOpenTest, ExpiredDeadlineMakesOneAttempt) {
  EXPECT_TRUE(IsTimedOut(OpenFifoWriter(path(), Deadline::Expired()).status()));
  EXPECT_TRUE(IsTimedOut(OpenFifoReader(path(), Deadline::Expired()).status()));

  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(path());
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<PipeWriter> writer =
      OpenFifoWriter(path(), Deadline::Expired());
  EXPECT_TRUE(writer.ok()) << writer.status();
}

TEST_F(FifoOpenTest, TimedReadOpenReturnsOnceAWriterHasWritten) {
  // Our own non-blocking writer needs a reader to exist first.
  absl::StatusOr<PipeReader> helper = TryOpenFifoReader(path());
  ASSERT_TRUE(helper.ok());
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->WriteAll("ping").ok());
  ASSERT_TRUE(helper->Close().ok());

  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(path(), Deadline::After(absl::Seconds(10)));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_FALSE(reader->nonblocking());  // kBlocking by default
  char buf[4];
  ASSERT_TRUE(reader->ReadFull(absl::MakeSpan(buf)).ok());
  EXPECT_EQ(absl::string_view(buf, 4), "ping");
}

TEST_F(FifoOpenTest, RemovingTheNameDoesNotDisturbOpenEnds) {
  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(path());
  ASSERT_TRUE(reader.ok());
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(fifo_.Remove().ok());
  EXPECT_EQ(LstatMode(path()), 0u);
  ASSERT_TRUE(writer->WriteAll("still here").ok());
  char buf[10];
  ASSERT_TRUE(
      reader->ReadFull(absl::MakeSpan(buf), Deadline::After(absl::Seconds(10)))
          .ok());
  EXPECT_EQ(absl::string_view(buf, 10), "still here");
}

TEST(FifoOpenPathTest, MissingFifoIsNotFound) {
  ScopedPath path("fifo_open_test");
  EXPECT_EQ(TryOpenFifoReader(path.path()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(TryOpenFifoWriter(path.path()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      OpenFifoReader(path.path(), Deadline::After(kShortWait)).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      OpenFifoWriter(path.path(), Deadline::After(kShortWait)).status().code(),
      absl::StatusCode::kNotFound);
}

TEST(FifoOpenPathTest, BadPathsAreInvalidArguments) {
  const std::string too_long(PATH_MAX + 10, 'x');
  EXPECT_EQ(TryOpenFifoReader(too_long).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenFifoWriter("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Every open, in every flavour. None may return an end for a regular file
// or follow a symbolic link, even one to a FIFO with a peer waiting.
enum class Opener { kReader, kTimedReader, kTryReader, kWriter, kTryWriter };

absl::Status OpenWith(Opener opener, const std::string& path) {
  const Deadline soon = Deadline::After(kShortWait);
  switch (opener) {
    case Opener::kReader:
      return OpenFifoReader(path).status();
    case Opener::kTimedReader:
      return OpenFifoReader(path, soon).status();
    case Opener::kTryReader:
      return TryOpenFifoReader(path).status();
    case Opener::kWriter:
      return OpenFifoWriter(path).status();
    case Opener::kTryWriter:
      return TryOpenFifoWriter(path).status();
  }
  return absl::InternalError("unknown opener");
}

class FifoOpenRefusesTest : public ::testing::TestWithParam<Opener> {};

TEST_P(FifoOpenRefusesTest, ARegularFile) {
  ScopedPath path("fifo_open_test");
  WriteFile(path.path(), "precious data\n");
  absl::Status s = OpenWith(GetParam(), path.path());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("is a regular file, not a FIFO"));
  EXPECT_EQ(ReadFile(path.path()), "precious data\n");
}

TEST_P(FifoOpenRefusesTest, ASymlinkEvenToAFifoWithPeers) {
  ScopedPath target("fifo_open_test_target");
  ScopedPath link("fifo_open_test_link");
  absl::StatusOr<Fifo> fifo = Fifo::Create(target.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  // Peers on both sides at the target, so that following the link would
  // succeed at once in every flavour.
  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(target.path());
  ASSERT_TRUE(reader.ok());
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(target.path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->WriteAll("x").ok());

  absl::Status s = OpenWith(GetParam(), link.path());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("symbolic link (not followed)"));
  EXPECT_TRUE(S_ISLNK(LstatMode(link.path())));
}

INSTANTIATE_TEST_SUITE_P(EveryOpen, FifoOpenRefusesTest,
                         ::testing::Values(Opener::kReader,
                                           Opener::kTimedReader,
                                           Opener::kTryReader, Opener::kWriter,
                                           Opener::kTryWriter));

}  // namespace
}  // namespace ipcbox
