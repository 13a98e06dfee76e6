// Single-process tests of lib/pipe: creation, options, reads and writes,
// end-of-stream, would-block, deadlines, partial I/O, misuse.

#include "ipcbox/pipe/pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_capacity.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "tests/pipe/pipe_test_util.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

Pipe MustCreatePipe(const PipeOptions& options = PipeOptions()) {
  absl::StatusOr<Pipe> pipe = CreatePipe(options);
  EXPECT_TRUE(pipe.ok()) << pipe.status();
  return pipe.ok() ? *std::move(pipe) : Pipe();
}

PipeOptions Options(bool nonblocking_reader, bool nonblocking_writer,
                    size_t capacity = 0) {
  PipeOptions options;
  options.nonblocking_reader = nonblocking_reader;
  options.nonblocking_writer = nonblocking_writer;
  options.capacity = capacity;
  return options;
}

int FdFlags(const Fd& fd) { return ::fcntl(fd.get(), F_GETFL); }
int FdDescriptorFlags(const Fd& fd) { return ::fcntl(fd.get(), F_GETFD); }

TEST(CreatePipeTest, EndsAreCloexecAndBlockingByDefault) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.reader.valid());
  ASSERT_TRUE(pipe.writer.valid());
  EXPECT_TRUE(FdDescriptorFlags(pipe.reader.fd()) & FD_CLOEXEC);
  EXPECT_TRUE(FdDescriptorFlags(pipe.writer.fd()) & FD_CLOEXEC);
  EXPECT_FALSE(FdFlags(pipe.reader.fd()) & O_NONBLOCK);
  EXPECT_FALSE(FdFlags(pipe.writer.fd()) & O_NONBLOCK);
  EXPECT_FALSE(pipe.reader.nonblocking());
  EXPECT_FALSE(pipe.writer.nonblocking());
}

TEST(CreatePipeTest, NonBlockingOnEitherEnd) {
  Pipe r = MustCreatePipe(Options(true, false));
  EXPECT_TRUE(r.reader.nonblocking());
  EXPECT_TRUE(FdFlags(r.reader.fd()) & O_NONBLOCK);
  EXPECT_FALSE(r.writer.nonblocking());
  EXPECT_FALSE(FdFlags(r.writer.fd()) & O_NONBLOCK);

  Pipe w = MustCreatePipe(Options(false, true));
  EXPECT_FALSE(w.reader.nonblocking());
  EXPECT_FALSE(FdFlags(w.reader.fd()) & O_NONBLOCK);
  EXPECT_TRUE(w.writer.nonblocking());
  EXPECT_TRUE(FdFlags(w.writer.fd()) & O_NONBLOCK);
}

TEST(CreatePipeTest, Capacity) {
  Pipe pipe = MustCreatePipe(Options(false, false, 3 * 4096 + 1));
  absl::StatusOr<size_t> capacity = PipeCapacity(pipe.writer.fd());
  ASSERT_TRUE(capacity.ok()) << capacity.status();
  EXPECT_GE(*capacity, 3u * 4096 + 1);  // rounded up to 2^n pages
  absl::StatusOr<size_t> same = PipeCapacity(pipe.reader.fd());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, *capacity);

  absl::StatusOr<size_t> set = SetPipeCapacity(pipe.reader.fd(), 4096);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_GE(*set, 4096u);
}

TEST(CreatePipeTest, CapacityTooLargeIsInvalidArgument) {
  Pipe pipe = MustCreatePipe();
  absl::StatusOr<size_t> set =
      SetPipeCapacity(pipe.writer.fd(), static_cast<size_t>(INT_MAX) + 1u);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PipeCapacity(Fd()).ok());
}

TEST(PipeTest, RoundTrip) {
  Pipe pipe = MustCreatePipe();
  absl::StatusOr<size_t> written = pipe.writer.Write("hello, pipe");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 11u);
  char buf[64];
  absl::StatusOr<size_t> n = pipe.reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "hello, pipe");
}

TEST(PipeTest, ReadReturnsWhatIsThereAndStopsAtBufferSize) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.writer.WriteAll("abcdef").ok());
  char buf[4];
  absl::StatusOr<size_t> n = pipe.reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(absl::string_view(buf, *n), "abcd");
  n = pipe.reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(absl::string_view(buf, *n), "ef");
}

TEST(PipeTest, EndOfStreamAfterWriterClosesAndDataIsDrained) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.writer.WriteAll("last words").ok());
  ASSERT_TRUE(pipe.writer.Close().ok());
  char buf[64];
  absl::StatusOr<size_t> n = pipe.reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok()) << n.status();  // data first
  EXPECT_EQ(absl::string_view(buf, *n), "last words");
  for (int i = 0; i < 2; ++i) {  // then end-of-stream, and it stays
    n = pipe.reader.Read(absl::MakeSpan(buf));
    EXPECT_TRUE(IsEndOfStream(n.status())) << n.status();
    EXPECT_TRUE(n.status().message().empty());
    EXPECT_FALSE(IsWouldBlock(n.status()));
    EXPECT_FALSE(IsTimedOut(n.status()));
  }
  // The timed variants agree, and do not wait for the deadline.
  Stopwatch watch;
  n = pipe.reader.ReadFor(absl::MakeSpan(buf), absl::Seconds(30));
  EXPECT_TRUE(IsEndOfStream(n.status())) << n.status();
  EXPECT_LT(watch.Elapsed(), absl::Seconds(20));
}

TEST(PipeTest, EndOfStreamOnNonBlockingReader) {
  Pipe pipe = MustCreatePipe(Options(true, false));
  ASSERT_TRUE(pipe.writer.Close().ok());
  char buf[8];
  EXPECT_TRUE(IsEndOfStream(pipe.reader.Read(absl::MakeSpan(buf)).status()));
}

TEST(PipeTest, ErrorIsNotEndOfStream) {
  // A descriptor open for reading that is not readable: a directory.
  const int dir = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  absl::StatusOr<PipeReader> reader = PipeReader::FromFd(Fd(dir));
  ASSERT_TRUE(reader.ok()) << reader.status();
  char buf[8];
  absl::StatusOr<size_t> n = reader->Read(absl::MakeSpan(buf));
  EXPECT_FALSE(n.ok());
  EXPECT_FALSE(IsEndOfStream(n.status())) << n.status();
  EXPECT_FALSE(IsWouldBlock(n.status()));
  EXPECT_THAT(std::string(n.status().message()), HasSubstr("read(fd "));
}

TEST(EndOfStreamTest, OnlyEndOfStreamIsEndOfStream) {
  EXPECT_TRUE(IsEndOfStream(EndOfStreamError()));
  EXPECT_FALSE(IsEndOfStream(absl::OkStatus()));
  EXPECT_FALSE(IsEndOfStream(WouldBlockError()));
  // errno values that absl maps to kOutOfRange are errors.
  EXPECT_FALSE(IsEndOfStream(ErrnoError(EOVERFLOW, "read", 3)));
  EXPECT_FALSE(IsEndOfStream(ErrnoError(ERANGE, "read", 3)));
  // A truncated record (ReadFull) is data lost.
  EXPECT_FALSE(IsEndOfStream(absl::DataLossError("truncated")));
}

TEST(PipeTest, NonBlockingReadOnEmptyPipeWouldBlock) {
  Pipe pipe = MustCreatePipe(Options(true, false));
  char buf[8];
  absl::StatusOr<size_t> n = pipe.reader.Read(absl::MakeSpan(buf));
  EXPECT_TRUE(IsWouldBlock(n.status())) << n.status();
  EXPECT_TRUE(n.status().message().empty());
}

TEST(PipeTest, NonBlockingWriteOnFullPipeWouldBlock) {
  Pipe pipe = MustCreatePipe(Options(false, true));
  const size_t filled = FillPipe(pipe.writer);
  absl::StatusOr<size_t> capacity = PipeCapacity(pipe.writer.fd());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(filled, *capacity);
  absl::StatusOr<size_t> n = pipe.writer.Write("x");
  EXPECT_TRUE(IsWouldBlock(n.status())) << n.status();
  EXPECT_TRUE(n.status().message().empty());
}

TEST(PipeTest, NonBlockingLargeWriteIsPartial) {
  Pipe pipe = MustCreatePipe(Options(false, true, 4096));
  const std::string data = Pattern(3 * 4096);
  absl::StatusOr<size_t> n = pipe.writer.Write(data);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GT(*n, 0u);
  EXPECT_LT(*n, data.size());
}

TEST(PipeTest, SetNonBlockingTogglesTheFlag) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.reader.SetNonBlocking(true).ok());
  EXPECT_TRUE(pipe.reader.nonblocking());
  EXPECT_TRUE(FdFlags(pipe.reader.fd()) & O_NONBLOCK);
  char buf[8];
  EXPECT_TRUE(IsWouldBlock(pipe.reader.Read(absl::MakeSpan(buf)).status()));
  ASSERT_TRUE(pipe.reader.SetNonBlocking(false).ok());
  EXPECT_FALSE(pipe.reader.nonblocking());
  EXPECT_FALSE(FdFlags(pipe.reader.fd()) & O_NONBLOCK);
}

// Timeouts: both kinds of end, both directions.

class TimedPipeTest : public ::testing::TestWithParam<bool> {
 protected:
  bool nonblocking() const { return GetParam(); }
};

TEST_P(TimedPipeTest, ReadOnEmptyPipeTimesOutAfterTheTimeout) {
  Pipe pipe = MustCreatePipe(Options(nonblocking(), false));
  char buf[8];
  Stopwatch watch;
  absl::StatusOr<size_t> n =
      pipe.reader.ReadFor(absl::MakeSpan(buf), absl::Milliseconds(50));
  const auto elapsed = watch.Elapsed();
  EXPECT_TRUE(IsTimedOut(n.status())) << n.status();
  EXPECT_TRUE(n.status().message().empty());
  EXPECT_GE(elapsed, absl::Milliseconds(50));
  EXPECT_LT(elapsed, absl::Seconds(30));  // sanity only
}

TEST_P(TimedPipeTest, WriteOnFullPipeTimesOutAfterTheTimeout) {
  Pipe pipe = MustCreatePipe(Options(false, true));
  ASSERT_GT(FillPipe(pipe.writer), 0u);
  ASSERT_TRUE(pipe.writer.SetNonBlocking(nonblocking()).ok());
  Stopwatch watch;
  absl::StatusOr<size_t> n = pipe.writer.WriteFor("x", absl::Milliseconds(50));
  const auto elapsed = watch.Elapsed();
  EXPECT_TRUE(IsTimedOut(n.status())) << n.status();
  EXPECT_GE(elapsed, absl::Milliseconds(50));
  EXPECT_LT(elapsed, absl::Seconds(30));
}

TEST_P(TimedPipeTest, ExpiredDeadlineTriesOnceWithoutWaiting) {
  Pipe pipe = MustCreatePipe(Options(nonblocking(), nonblocking()));
  char buf[8];
  EXPECT_TRUE(
      IsTimedOut(pipe.reader.ReadUntil(absl::MakeSpan(buf), Deadline::Expired())
                     .status()));
  absl::StatusOr<size_t> w = pipe.writer.WriteUntil("ab", Deadline::Expired());
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 2u);
  absl::StatusOr<size_t> r =
      pipe.reader.ReadUntil(absl::MakeSpan(buf), Deadline::Expired());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(absl::string_view(buf, *r), "ab");
}

TEST_P(TimedPipeTest, TimedReadReturnsDataThatArrivesInTime) {
  Pipe pipe = MustCreatePipe(Options(nonblocking(), false));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    (void)pipe.writer.WriteAll("late");
  });
  char buf[8];
  absl::StatusOr<size_t> n =
      pipe.reader.ReadFor(absl::MakeSpan(buf), absl::Seconds(30));
  writer.join();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "late");
}

// A big transfer through a one-page pipe: every write and read is partial,
// and the timed path on a blocking writer must write in PIPE_BUF chunks.
TEST_P(TimedPipeTest, WriteAllAndReadFullMoveLargeDataIntact) {
  Pipe pipe = MustCreatePipe(Options(nonblocking(), nonblocking(), 4096));
  const std::string data = Pattern(1 << 20);
  absl::Status write_status;
  size_t written = 0;
  std::thread writer([&] {
    write_status = pipe.writer.WriteAll(
        data, Deadline::After(absl::Seconds(60)), &written);
    (void)pipe.writer.Close();
  });
  std::string got(data.size(), '\0');
  size_t read = 0;
  absl::Status read_status = pipe.reader.ReadFull(
      absl::MakeSpan(got), Deadline::After(absl::Seconds(60)), &read);
  writer.join();
  EXPECT_TRUE(write_status.ok()) << write_status;
  EXPECT_EQ(written, data.size());
  ASSERT_TRUE(read_status.ok()) << read_status;
  EXPECT_EQ(read, data.size());
  EXPECT_EQ(FirstPatternMismatch(got, 0), absl::string_view::npos);
  char extra[1];
  EXPECT_TRUE(IsEndOfStream(pipe.reader.Read(absl::MakeSpan(extra)).status()));
}

INSTANTIATE_TEST_SUITE_P(BlockingAndNonBlocking, TimedPipeTest,
                         ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "NonBlocking" : "Blocking";
                         });

TEST(PipeTest, TimedWriteAllOnFullPipeReportsHowMuchWentIn) {
  Pipe pipe = MustCreatePipe(Options(false, true, 4096));
  const std::string data = Pattern(3 * 4096);
  size_t written = 0;
  absl::Status s = pipe.writer.WriteAll(
      data, Deadline::After(absl::Milliseconds(50)), &written);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  absl::StatusOr<size_t> capacity = PipeCapacity(pipe.writer.fd());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(written, *capacity);
}

TEST(PipeTest, ReadFullReportsEndOfStreamPartWay) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.writer.WriteAll("12345").ok());
  ASSERT_TRUE(pipe.writer.Close().ok());
  char buf[8];
  size_t read = 99;
  absl::Status s =
      pipe.reader.ReadFull(absl::MakeSpan(buf), Deadline::Infinite(), &read);
  // A truncated record is an error, not a clean end.
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_FALSE(IsEndOfStream(s));
  EXPECT_EQ(read, 5u);
  EXPECT_THAT(std::string(s.message()), HasSubstr("after 5 of 8 bytes"));
  EXPECT_EQ(absl::string_view(buf, read), "12345");

  // At a record boundary it is the plain, message-less end-of-stream.
  s = pipe.reader.ReadFull(absl::MakeSpan(buf), Deadline::Infinite(), &read);
  EXPECT_TRUE(IsEndOfStream(s)) << s;
  EXPECT_TRUE(s.message().empty());
  EXPECT_EQ(read, 0u);
}

TEST(PipeTest, ReadFullTimesOutPartWay) {
  Pipe pipe = MustCreatePipe();
  ASSERT_TRUE(pipe.writer.WriteAll("abc").ok());
  char buf[8];
  size_t read = 0;
  absl::Status s = pipe.reader.ReadFull(
      absl::MakeSpan(buf), Deadline::After(absl::Milliseconds(20)), &read);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_EQ(read, 3u);
}

TEST(PipeTest, ReadFullOfNothingSucceeds) {
  Pipe pipe = MustCreatePipe();
  size_t read = 7;
  EXPECT_TRUE(
      pipe.reader.ReadFull(absl::Span<char>(), Deadline::Expired(), &read)
          .ok());
  EXPECT_EQ(read, 0u);
}

TEST(PipeTest, EmptyWriteDoesNothing) {
  Pipe pipe = MustCreatePipe(Options(true, false));
  absl::StatusOr<size_t> n = pipe.writer.Write("");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  size_t written = 1;
  EXPECT_TRUE(pipe.writer.WriteAll("", Deadline::Expired(), &written).ok());
  EXPECT_EQ(written, 0u);
  char buf[1];
  EXPECT_TRUE(IsWouldBlock(pipe.reader.Read(absl::MakeSpan(buf)).status()));
}

// Misuse gives clear statuses.

TEST(PipeMisuseTest, EmptyReadBufferIsInvalidArgument) {
  Pipe pipe = MustCreatePipe();
  for (const absl::Status& s :
       {pipe.reader.Read(absl::Span<char>()).status(),
        pipe.reader.ReadFor(absl::Span<char>(), absl::Seconds(1)).status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr("empty buffer"));
    EXPECT_FALSE(IsEndOfStream(s));
  }
}

TEST(PipeMisuseTest, MovedFromEndsAreNotOpen) {
  Pipe pipe = MustCreatePipe();
  PipeReader reader = std::move(pipe.reader);
  PipeWriter writer = std::move(pipe.writer);
  EXPECT_FALSE(pipe.reader.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(pipe.writer.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(pipe.reader.fd().get(), -1);

  char buf[8];
  absl::Status r = pipe.reader.Read(absl::MakeSpan(buf)).status();
  EXPECT_EQ(r.code(), absl::StatusCode::kFailedPrecondition) << r;
  EXPECT_THAT(std::string(r.message()), HasSubstr("PipeReader::Read"));
  absl::Status w = pipe.writer.Write("x").status();
  EXPECT_EQ(w.code(), absl::StatusCode::kFailedPrecondition) << w;
  EXPECT_THAT(std::string(w.message()), HasSubstr("PipeWriter::Write"));
  EXPECT_EQ(pipe.writer.WriteAll("x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(pipe.reader.ReadFull(absl::MakeSpan(buf)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(pipe.reader.SetNonBlocking(true).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(pipe.reader.Close().ok());  // closing nothing is fine

  // The new owners work.
  ASSERT_TRUE(writer.WriteAll("moved").ok());
  absl::StatusOr<size_t> n = reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(absl::string_view(buf, *n), "moved");
}

TEST(PipeMisuseTest, MoveAssignmentClosesTheOldEnd) {
  Pipe first = MustCreatePipe();
  Pipe second = MustCreatePipe();
  first.writer = std::move(second.writer);  // first's write end closes
  char buf[8];
  EXPECT_TRUE(IsEndOfStream(first.reader.Read(absl::MakeSpan(buf)).status()));
}

TEST(PipeMisuseTest, FromFdRejectsBadDescriptors) {
  absl::StatusOr<PipeReader> empty = PipeReader::FromFd(Fd());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(empty.status().message()),
              HasSubstr("no descriptor"));

  // A number that is not an open descriptor: EBADF, named.
  absl::StatusOr<PipeWriter> closed = PipeWriter::FromFd(Fd(100000));
  EXPECT_FALSE(closed.ok());
  EXPECT_THAT(std::string(closed.status().message()), HasSubstr("fd 100000"));

  // Ends the wrong way round.
  Pipe pipe = MustCreatePipe();
  absl::StatusOr<PipeWriter> wrong = PipeWriter::FromFd(pipe.reader.Release());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.status().message()),
              HasSubstr("not open for writing"));
  absl::StatusOr<PipeReader> wrong2 = PipeReader::FromFd(pipe.writer.Release());
  EXPECT_THAT(std::string(wrong2.status().message()),
              HasSubstr("not open for reading"));
}

TEST(PipeMisuseTest, ClosedDescriptorUnderneathGivesErrnoStatus) {
  Pipe pipe = MustCreatePipe();
  // Close the descriptor behind the object's back (a caller bug, but one
  // that must produce a status rather than a hang or a crash).
  ASSERT_EQ(::close(pipe.reader.fd().get()), 0);
  char buf[8];
  absl::Status s =
      pipe.reader.ReadFor(absl::MakeSpan(buf), absl::Seconds(5)).status();
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(IsTimedOut(s));
  EXPECT_FALSE(IsEndOfStream(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Bad file descriptor"));
  s = pipe.reader.Read(absl::MakeSpan(buf)).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("read(fd "));
  (void)pipe.reader.Release().release();  // already closed: do not close again
}

TEST(PipeTest, FromFdAdoptsAnExistingPipe) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  absl::StatusOr<PipeReader> reader = PipeReader::FromFd(Fd(fds[0]));
  absl::StatusOr<PipeWriter> writer = PipeWriter::FromFd(Fd(fds[1]));
  ASSERT_TRUE(reader.ok() && writer.ok());
  EXPECT_TRUE(reader->nonblocking());
  EXPECT_TRUE(writer->nonblocking());
  ASSERT_TRUE(writer->WriteAll("adopted").ok());
  char buf[16];
  absl::StatusOr<size_t> n = reader->Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(absl::string_view(buf, *n), "adopted");
}

TEST(PipeTest, ReleaseGivesUpOwnership) {
  Pipe pipe = MustCreatePipe();
  const int raw = pipe.writer.fd().get();
  Fd fd = pipe.writer.Release();
  EXPECT_FALSE(pipe.writer.valid());
  EXPECT_EQ(fd.get(), raw);
  EXPECT_TRUE(FdDescriptorFlags(fd) & FD_CLOEXEC);
}

TEST(PipeTest, DuplicateOntoMakesAnInheritableCopy) {
  Pipe pipe = MustCreatePipe();
  // A free descriptor number to duplicate onto.
  Fd target(::fcntl(pipe.writer.fd().get(), F_DUPFD_CLOEXEC, 0));
  ASSERT_TRUE(target.valid());
  ASSERT_TRUE(pipe.writer.DuplicateOnto(target.get()).ok());
  EXPECT_FALSE(FdDescriptorFlags(target) & FD_CLOEXEC);
  EXPECT_TRUE(FdDescriptorFlags(pipe.writer.fd()) & FD_CLOEXEC);
  ASSERT_EQ(::write(target.get(), "dup", 3), 3);
  char buf[8];
  absl::StatusOr<size_t> n = pipe.reader.Read(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(absl::string_view(buf, *n), "dup");

  // Onto itself: dup2 would be a no-op; the flag must be cleared anyway.
  ASSERT_TRUE(pipe.reader.DuplicateOnto(pipe.reader.fd().get()).ok());
  EXPECT_FALSE(FdDescriptorFlags(pipe.reader.fd()) & FD_CLOEXEC);

  EXPECT_FALSE(pipe.writer.DuplicateOnto(-1).ok());
}

}  // namespace
}  // namespace ipcbox::testing
