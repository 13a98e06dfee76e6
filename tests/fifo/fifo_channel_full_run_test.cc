// The seed's full run: fifo_writer's 768000 ints from glibc's default rand()
// sequence through a FIFO into fifo_reader, which must print the article's
// own line, "Received ints: 768000, primes: 37682", and a prime count equal
// to the one computed here with another primality test.
//
// Its own target because it is slow under qemu-arm: the seed's trial
// division makes ~4e8 32-bit divisions, which armv7 without the integer
// divide extension (the toolchain's default) does in a library call. On the
// host it takes about a second.

#include <string>

#include "absl/status/statusor.h"
#include "examples/fifo/fifo_channel.h"
#include "gtest/gtest.h"
#include "tests/fifo/fifo_test_util.h"
#include "tests/fifo/seed_sequence.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::NothingAt;
using ::ipcbox::testing::ScopedPath;

TEST(SeedSequenceTest, TheArticlesPrimeCountIsTheDefaultSequences) {
  const Expected expected =
      ExpectedCounts(kMaxLoops, kChunkSize, kIntsPerChunk);
  EXPECT_EQ(expected.ints, 768000u);
  EXPECT_EQ(expected.primes, 37682u);  // "Received ints: 768000, primes: 37682"
}

TEST(FifoChannelFullRunTest, PrintsTheArticlesLines) {
  const Expected expected =
      ExpectedCounts(kMaxLoops, kChunkSize, kIntsPerChunk);
  ScopedPath path("fifo_channel_test");
  FifoWriterOptions writer;
  writer.fifo_path = path.path();
  writer.pauses = false;  // the ints are the same; see fifo_channel.h
  std::string writer_error;
  absl::StatusOr<FifoReaderCounts> counts =
      RunWriterAndReader(writer, &writer_error);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(writer_error, "");  // it printed "768000 ints sent to the pipe."

  EXPECT_EQ(counts->ints, expected.ints);
  EXPECT_EQ(counts->primes, expected.primes);
  EXPECT_EQ(FifoReaderLine(*counts), "Received ints: 768000, primes: 37682\n");
  EXPECT_TRUE(NothingAt(path.path()));  // both sides unlink, as in the seed
}

}  // namespace
}  // namespace ipcbox::examples
