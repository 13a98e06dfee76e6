// The hot paths on FIFO ends do not allocate: reads and writes through the
// PipeReader and PipeWriter that the opens return, and their would-block,
// timed-out and end-of-stream outcomes (lib/core/README.md). Opening
// allocates (the path is copied); these loops run on ends opened beforehand.

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "tests/fifo/fifo_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;
using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::ScopedPath;

// Counts outcomes instead of asserting inside the measured loop, so that
// nothing but the code under test runs while counting.
struct Tally {
  int ok = 0;
  int would_block = 0;
  int timed_out = 0;
  int other = 0;
};

TEST(FifoAllocationTest, ReadWriteLoopInOneProcessDoesNotAllocate) {
  ScopedPath path("fifo_alloc_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  absl::StatusOr<PipeReader> reader = TryOpenFifoReader(path.path());
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path.path());
  ASSERT_TRUE(writer.ok()) << writer.status();

  const std::string message(100, 'm');
  std::string buf(4096, '\0');
  Tally tally;
  auto round = [&] {
    if (writer->Write(message).ok())
      ++tally.ok;
    else
      ++tally.other;
    if (writer->WriteAll(message, Deadline::After(absl::Seconds(10))).ok()) {
      ++tally.ok;
    } else {
      ++tally.other;
    }
    if (reader
            ->ReadFull(absl::MakeSpan(buf.data(), 2 * message.size()),
                       Deadline::After(absl::Seconds(10)))
            .ok()) {
      ++tally.ok;
    } else {
      ++tally.other;
    }
    absl::StatusOr<size_t> r = reader->Read(absl::MakeSpan(buf));
    if (IsWouldBlock(r.status()))
      ++tally.would_block;
    else
      ++tally.other;
    r = reader->ReadUntil(absl::MakeSpan(buf), Deadline::Expired());
    if (IsTimedOut(r.status()))
      ++tally.timed_out;
    else
      ++tally.other;
  };
  round();  // warm up
  tally = Tally();

  AllocationCounter counter;
  for (int i = 0; i < 1000; ++i) round();
  // A real wait that times out, too.
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<size_t> r =
        reader->ReadFor(absl::MakeSpan(buf), absl::Milliseconds(1));
    if (IsTimedOut(r.status()))
      ++tally.timed_out;
    else
      ++tally.other;
  }
  counter.Stop();

  EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes, counted by "
                                << AllocationCounter::Method();
  EXPECT_EQ(tally.ok, 3000);
  EXPECT_EQ(tally.would_block, 1000);
  EXPECT_EQ(tally.timed_out, 1003);
  EXPECT_EQ(tally.other, 0);
}

// The seed's shape across processes: a child writes 16-byte records, the
// parent reads them until end-of-stream; the parent's whole read loop,
// end-of-stream included, runs under the counter.
TEST(FifoAllocationTest, CrossProcessReadLoopToEndOfStreamDoesNotAllocate) {
  constexpr int kRecords = 20000;
  ScopedPath path("fifo_alloc_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeWriter> writer =
        OpenFifoWriter(path.path(), Deadline::After(absl::Seconds(60)));
    if (!writer.ok()) return 2;
    char record[16] = "0123456789abcde";
    AllocationCounter counter;
    for (int i = 0; i < kRecords; ++i) {
      if (!writer->WriteAll(absl::string_view(record, 16)).ok()) return 3;
    }
    counter.Stop();
    return counter.count() == 0 ? 0 : 4;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(path.path(), Deadline::After(absl::Seconds(60)));
  ASSERT_TRUE(reader.ok()) << reader.status();

  char buf[4096];
  size_t total = 0;
  absl::Status end;
  {
    AllocationCounter counter;
    for (;;) {
      absl::StatusOr<size_t> n = reader->Read(absl::MakeSpan(buf));
      if (!n.ok()) {
        end = n.status();
        break;
      }
      total += *n;
    }
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << counter.bytes() << " bytes";
  }
  EXPECT_TRUE(IsEndOfStream(end)) << end;
  EXPECT_EQ(total, size_t{16} * kRecords);
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(60)), 0));
}

}  // namespace
}  // namespace ipcbox
