// The hot paths of lib/pipe do not allocate: reads, writes, and their
// would-block, timed-out and end-of-stream outcomes (lib/core/README.md).

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "tests/pipe/pipe_test_util.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;
using ::ipcbox::testing::FillPipe;

PipeOptions NonBlockingBothEnds() {
  PipeOptions options;
  options.nonblocking_reader = true;
  options.nonblocking_writer = true;
  options.capacity = 4096;
  return options;
}

// Counts what went wrong instead of asserting inside the measured loop, so
// that nothing but the code under test runs while counting.
struct Tally {
  int round_trips = 0;
  int would_block = 0;
  int timed_out = 0;
  int other = 0;
};

void RoundTrip(Pipe& pipe, absl::string_view message, absl::Span<char> buf,
               Tally& tally) {
  // Plain and timed write, full read back.
  absl::StatusOr<size_t> w = pipe.writer.Write(message);
  if (!w.ok() || *w != message.size()) ++tally.other;
  if (!pipe.writer.WriteAll(message, Deadline::After(absl::Seconds(10))).ok()) {
    ++tally.other;
  }
  if (!pipe.reader
           .ReadFull(buf.subspan(0, 2 * message.size()),
                     Deadline::After(absl::Seconds(10)))
           .ok()) {
    ++tally.other;
  }

  // The pipe is empty now, so these find nothing: would-block and an
  // (expired) timeout.
  absl::StatusOr<size_t> r = pipe.reader.Read(buf);
  if (IsWouldBlock(r.status()))
    ++tally.would_block;
  else
    ++tally.other;
  r = pipe.reader.ReadUntil(buf, Deadline::Expired());
  if (IsTimedOut(r.status()))
    ++tally.timed_out;
  else
    ++tally.other;
  ++tally.round_trips;
}

TEST(PipeAllocationTest, SteadyStateReadWriteLoopDoesNotAllocate) {
  absl::StatusOr<Pipe> pipe = CreatePipe(NonBlockingBothEnds());
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const std::string message(100, 'm');
  std::string buf(4096, '\0');
  Tally tally;
  RoundTrip(*pipe, message, absl::MakeSpan(buf), tally);  // warm up

  AllocationCounter counter;
  for (int i = 0; i < 1000; ++i) {
    RoundTrip(*pipe, message, absl::MakeSpan(buf), tally);
  }
  // A real wait that times out, too (1 ms each).
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<size_t> r =
        pipe->reader.ReadFor(absl::MakeSpan(buf), absl::Milliseconds(1));
    if (IsTimedOut(r.status()))
      ++tally.timed_out;
    else
      ++tally.other;
  }
  counter.Stop();

  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes, counted by "
                                << AllocationCounter::Method();
  EXPECT_EQ(tally.round_trips, 1001);
  EXPECT_EQ(tally.would_block, 1001);
  EXPECT_EQ(tally.timed_out, 1006);
  EXPECT_EQ(tally.other, 0);
}

TEST(PipeAllocationTest, FullPipeOutcomesDoNotAllocate) {
  absl::StatusOr<Pipe> pipe = CreatePipe(NonBlockingBothEnds());
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  ASSERT_GT(FillPipe(pipe->writer), 0u);
  const std::string big(8192, 'b');
  size_t written = 1;
  absl::Status all;
  absl::StatusOr<size_t> once, timed;
  {
    AllocationCounter counter;
    once = pipe->writer.Write("x");
    timed = pipe->writer.WriteFor("x", absl::Milliseconds(1));
    all = pipe->writer.WriteAll(big, Deadline::Expired(), &written);
    counter.Stop();
    EXPECT_EQ(counter.count(), 0);
  }
  EXPECT_TRUE(IsWouldBlock(once.status())) << once.status();
  EXPECT_TRUE(IsTimedOut(timed.status())) << timed.status();
  EXPECT_TRUE(IsTimedOut(all)) << all;
  EXPECT_EQ(written, 0u);
}

TEST(PipeAllocationTest, EndOfStreamDoesNotAllocate) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  ASSERT_TRUE(pipe->writer.Close().ok());
  char buf[16];
  absl::StatusOr<size_t> n;
  absl::Status full;
  EXPECT_NO_ALLOCATIONS(n = pipe->reader.Read(absl::MakeSpan(buf)));
  EXPECT_NO_ALLOCATIONS(full = pipe->reader.ReadFull(absl::MakeSpan(buf)));
  EXPECT_TRUE(IsEndOfStream(n.status()));
  EXPECT_TRUE(IsEndOfStream(full));
}

}  // namespace
}  // namespace ipcbox
