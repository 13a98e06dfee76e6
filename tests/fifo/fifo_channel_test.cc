// The fifo_writer / fifo_reader examples: the seed's prime test and rand()
// sequence, the seed's lines, and the two programs between real processes
// on shorter runs (the seed's full run is fifo_channel_full_run_test), with
// the prime count checked against one computed by other means.

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/common/octal_mode.h"
#include "examples/fifo/fifo_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "tests/fifo/fifo_test_util.h"
#include "tests/fifo/seed_sequence.h"
#include "tests/support/child_process.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::LstatMode;
using ::ipcbox::testing::NothingAt;
using ::ipcbox::testing::ReadFile;
using ::ipcbox::testing::ScopedPath;
using ::ipcbox::testing::WriteFile;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(120);

TEST(SeedIsPrimeTest, KeepsTheSeedsAnswersForSmallNumbers) {
  EXPECT_FALSE(SeedIsPrime(0));
  EXPECT_FALSE(SeedIsPrime(1));
  EXPECT_TRUE(SeedIsPrime(2));
  EXPECT_TRUE(SeedIsPrime(3));
  EXPECT_FALSE(SeedIsPrime(4));
  EXPECT_TRUE(SeedIsPrime(5));
  EXPECT_FALSE(SeedIsPrime(25));
  EXPECT_FALSE(SeedIsPrime(49));
  EXPECT_TRUE(SeedIsPrime(2147483647u));   // RAND_MAX, a Mersenne prime
  EXPECT_FALSE(SeedIsPrime(2147483645u));  // 5 * 429496729
}

TEST(SeedIsPrimeTest, AgreesWithMillerRabinOnTheRandRange) {
  for (uint32_t n = 0; n < 200000; ++n) {
    ASSERT_EQ(SeedIsPrime(n), MillerRabinIsPrime(n)) << n;
  }
  for (uint32_t n = 2147483647u - 3000; n < 2147483647u; ++n) {
    ASSERT_EQ(SeedIsPrime(n), MillerRabinIsPrime(n)) << n;
  }
}

TEST(SeedRandTest, IsGlibcsDefaultSequence) {
  ::srand(1);  // glibc: rand() before any srand() is seeded with 1
  EXPECT_EQ(::rand(), 1804289383);
  EXPECT_EQ(::rand(), 846930886);
}

TEST(FifoChannelLinesTest, AreTheSeedsPrintfFormats) {
  EXPECT_EQ(FifoWriterLine(768000), "768000 ints sent to the pipe.\n");
  EXPECT_EQ(FifoReaderLine({768000, 37682}),
            "Received ints: 768000, primes: 37682\n");
}

TEST(FifoChannelTest, WithTheSeedsPausesAndOtherCounts) {
  ScopedPath path("fifo_channel_test");
  FifoWriterOptions writer;
  writer.fifo_path = path.path();
  writer.max_loops = 300;
  writer.chunk_size = 5;
  writer.ints_per_chunk = 3;
  ASSERT_TRUE(writer.pauses);
  std::string writer_error;
  absl::StatusOr<FifoReaderCounts> counts =
      RunWriterAndReader(writer, &writer_error);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(writer_error, "");
  const Expected expected = ExpectedCounts(300, 5, 3);
  EXPECT_EQ(counts->ints, 4500u);
  EXPECT_EQ(counts->primes, expected.primes);
  EXPECT_TRUE(NothingAt(path.path()));
}

TEST(FifoChannelTest, WriterCreatesTheFifoWithTheSeedsModeWhateverTheUmask) {
  ::ipcbox::testing::ScopedUmask umask(077);
  ScopedPath path("fifo_channel_test");
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    FifoWriterOptions writer;
    writer.fifo_path = path.path();
    writer.max_loops = 1;
    return RunFifoWriter(writer).ok() ? 0 : 2;
  });
  ASSERT_TRUE(child.ok());
  // Look while the writer waits for its reader, then be that reader.
  EXPECT_TRUE(::ipcbox::testing::AwaitMode(path.path(), S_IFIFO | 0666))
      << std::oct << LstatMode(path.path());
  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(path.path(), Deadline::After(absl::Seconds(60)));
  ASSERT_TRUE(reader.ok()) << reader.status();
  char buf[64 * 4];  // one round: 16 chunks of 4 ints
  EXPECT_TRUE(
      reader->ReadFull(absl::MakeSpan(buf), Deadline::After(absl::Seconds(60)))
          .ok());
  EXPECT_TRUE(IsEndOfStream(
      reader->ReadFor(absl::MakeSpan(buf), absl::Seconds(60)).status()));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// Writes `bytes` to the FIFO at `path` in 3-byte pieces, as a foreign
// writer might split them, then exits (as a killed writer would, mid-record
// if `bytes` ends in a fragment).
absl::StatusOr<ChildProcess> WriteInPieces(const std::string& path,
                                           absl::string_view bytes) {
  return ForkChild([path, bytes] {
    absl::StatusOr<PipeWriter> writer =
        OpenFifoWriter(path, Deadline::After(absl::Seconds(60)));
    if (!writer.ok()) return 2;
    for (size_t at = 0; at < bytes.size(); at += 3) {
      if (!writer->WriteAll(bytes.substr(at, 3)).ok()) return 3;
      ::usleep(2000);  // let the reader see the pieces separately
    }
    return 0;
  });
}

// A writer that gives up waiting for a reader says so, and after how long,
// instead of an empty DEADLINE_EXCEEDED; the FIFO it made is gone.
TEST(FifoChannelTest, AWriterWithoutAReaderSaysWhatTimedOut) {
  ScopedPath path("fifo_channel_test");
  FifoWriterOptions writer;
  writer.fifo_path = path.path();
  writer.open_timeout = absl::Milliseconds(100);
  absl::StatusOr<int64_t> sent = RunFifoWriter(writer);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDeadlineExceeded)
      << sent.status();
  EXPECT_THAT(sent.status().message(), HasSubstr("waiting for a reader on "));
  EXPECT_THAT(sent.status().message(), HasSubstr("timed out after 100ms"));
  EXPECT_TRUE(NothingAt(path.path()));
}

// A writer killed after making the FIFO and before opening it never removes
// it: the reader that gives up waiting does (found by //tests/crash).
TEST(FifoChannelTest, AReaderThatGivesUpOnADeadWriterRemovesTheFifo) {
  ScopedPath path("fifo_channel_test");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  FifoReaderOptions reader;
  reader.fifo_path = path.path();
  reader.open_timeout = absl::Milliseconds(100);
  absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(reader);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kDeadlineExceeded)
      << counts.status();
  EXPECT_THAT(counts.status().message(), HasSubstr("waiting for a writer on "));
  EXPECT_TRUE(NothingAt(path.path()));
}

// Records that reach the reader split at odd places still count as whole
// ints.
TEST(FifoChannelTest, ReaderReassemblesIntsSplitAcrossWrites) {
  ScopedPath path("fifo_channel_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok());
  (void)fifo->Release();  // the reader removes it, as in the seed
  const int32_t values[] = {2, 4, 7, 9, 11, 1000003, 1, 0};  // 4 primes
  absl::StatusOr<ChildProcess> child = WriteInPieces(
      path.path(),
      absl::string_view(reinterpret_cast<const char*>(values), sizeof(values)));
  ASSERT_TRUE(child.ok());
  FifoReaderOptions reader;
  reader.fifo_path = path.path();
  reader.open_timeout = absl::Seconds(60);
  absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(reader);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->ints, 8u);
  EXPECT_EQ(counts->primes, 4u);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_TRUE(NothingAt(path.path()));
}

// A writer killed part-way through an int leaves a fragment at the end of
// the stream: that is lost data, not a shorter success.
TEST(FifoChannelTest, AStreamCutMidIntIsDataLossNotACount) {
  ScopedPath path("fifo_channel_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok());
  (void)fifo->Release();
  const int32_t values[] = {2, 4, 7, 9, 11, 1000003, 1, 0};
  std::string bytes(reinterpret_cast<const char*>(values), sizeof(values));
  bytes += '\x05';  // the first byte of a ninth int
  absl::StatusOr<ChildProcess> child = WriteInPieces(path.path(), bytes);
  ASSERT_TRUE(child.ok());
  FifoReaderOptions reader;
  reader.fifo_path = path.path();
  reader.open_timeout = absl::Seconds(60);
  absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(reader);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kDataLoss)
      << counts.status();
  EXPECT_THAT(counts.status().message(),
              HasSubstr("1 of 4 bytes into record 9 after 8 whole records"));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_TRUE(NothingAt(path.path()));
}

// When the reader knows how many ints a full run has, a writer that stopped
// at an int boundary but early is DataLoss too, and the message says both.
TEST(FifoChannelTest, AShortRunIsDataLossWhenTheCountIsKnown) {
  ScopedPath path("fifo_channel_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok());
  (void)fifo->Release();
  const int32_t values[] = {2, 4, 7};
  absl::StatusOr<ChildProcess> child = WriteInPieces(
      path.path(),
      absl::string_view(reinterpret_cast<const char*>(values), sizeof(values)));
  ASSERT_TRUE(child.ok());
  FifoReaderOptions reader;
  reader.fifo_path = path.path();
  reader.open_timeout = absl::Seconds(60);
  reader.expected_ints = 10;
  absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(reader);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kDataLoss)
      << counts.status();
  EXPECT_THAT(counts.status().message(), HasSubstr("3 of the 10 ints"));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_TRUE(NothingAt(path.path()));
}

TEST(FifoChannelTest, WriterRefusesARegularFileAtThePath) {
  ScopedPath path("fifo_channel_test");
  WriteFile(path.path(), "not a fifo\n");
  FifoWriterOptions writer;
  writer.fifo_path = path.path();
  absl::StatusOr<int64_t> sent = RunFifoWriter(writer);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition)
      << sent.status();
  EXPECT_EQ(ReadFile(path.path()), "not a fifo\n");
}

TEST(FifoChannelTest, ReaderWithoutAFifoFailsLikeTheSeed) {
  ScopedPath path("fifo_channel_test");
  FifoReaderOptions reader;
  reader.fifo_path = path.path();
  EXPECT_EQ(RunFifoReader(reader).status().code(), absl::StatusCode::kNotFound);
}

TEST(FifoChannelTest, BadWriterOptionsAreRejected) {
  FifoWriterOptions writer;
  writer.max_zs = 0;  // rand() % 0
  EXPECT_EQ(RunFifoWriter(writer).status().code(),
            absl::StatusCode::kInvalidArgument);
  writer = FifoWriterOptions();
  writer.ints_per_chunk = 0;
  EXPECT_EQ(RunFifoWriter(writer).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OctalModeFlagTest, ParsesAndPrintsOctal) {
  OctalMode mode;
  std::string error;
  ASSERT_TRUE(AbslParseFlag("0666", &mode, &error));
  EXPECT_EQ(mode.mode, 0666u);
  ASSERT_TRUE(AbslParseFlag("644", &mode, &error));
  EXPECT_EQ(mode.mode, 0644u);
  EXPECT_EQ(AbslUnparseFlag(OctalMode{0664}), "0664");
  EXPECT_FALSE(AbslParseFlag("0888", &mode, &error));
  EXPECT_FALSE(AbslParseFlag("4755", &mode, &error));
  EXPECT_THAT(error, HasSubstr("0777"));
  EXPECT_FALSE(AbslParseFlag("", &mode, &error));
  EXPECT_FALSE(AbslParseFlag("rw-rw-rw-", &mode, &error));
}

}  // namespace
}  // namespace ipcbox::examples
