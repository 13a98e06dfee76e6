// lib/pipe between real processes: the parent writes and a child reads, the
// reverse, a large transfer through a small pipe, PIPE_BUF atomicity with
// several writers, and EPIPE when the reading process is gone.

#include <unistd.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/pipe/pipe_capacity.h"
#include "tests/pipe/pipe_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/time_scale.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

// Hang detection only (a transfer that stops, a peer that never exits), so
// stretched on slow runs (time_scale.h); ChildProcess::Wait stretches
// kChildTimeout itself.
constexpr absl::Duration kChildTimeout = absl::Seconds(60);
absl::Duration HangBound() { return Scaled(absl::Seconds(60)); }

Deadline Soon() { return Deadline::After(HangBound()); }

PipeOptions Capacity(size_t bytes) {
  PipeOptions options;
  options.capacity = bytes;
  return options;
}

TEST(MultiProcessPipeTest, ParentWritesChildReads) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    EXPECT_TRUE(pipe->writer.Close().ok());  // or end-of-stream never comes
    std::string got;
    char buf[7];  // small on purpose: several reads
    for (;;) {
      absl::StatusOr<size_t> n =
          pipe->reader.ReadFor(absl::MakeSpan(buf), HangBound());
      if (IsEndOfStream(n.status())) break;
      if (!n.ok()) return 2;
      got.append(buf, *n);
    }
    return got == "Nature's first green is gold\n" ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pipe->reader.Close().ok());
  EXPECT_TRUE(pipe->writer.WriteAll("Nature's first green is gold\n").ok());
  ASSERT_TRUE(pipe->writer.Close().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(MultiProcessPipeTest, ChildWritesParentReads) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    EXPECT_TRUE(pipe->reader.Close().ok());
    for (int i = 0; i < 3; ++i) {
      if (!pipe->writer.WriteAll("line\n", Soon()).ok()) return 2;
    }
    return 0;  // exiting closes the write end
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pipe->writer.Close().ok());
  char buf[15];
  size_t read = 0;
  EXPECT_TRUE(pipe->reader.ReadFull(absl::MakeSpan(buf), Soon(), &read).ok());
  EXPECT_EQ(absl::string_view(buf, read), "line\nline\nline\n");
  EXPECT_TRUE(IsEndOfStream(
      pipe->reader.ReadFor(absl::MakeSpan(buf), HangBound()).status()));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// 8 MiB through a one-page pipe: thousands of partial writes and reads.
class LargeTransferTest : public ::testing::TestWithParam<bool> {};

TEST_P(LargeTransferTest, EightMebibytesThroughAOnePagePipeArriveIntact) {
  const bool nonblocking = GetParam();
  constexpr size_t kSize = 8 << 20;
  PipeOptions options = Capacity(4096);
  options.nonblocking_writer = nonblocking;
  options.nonblocking_reader = nonblocking;
  absl::StatusOr<Pipe> pipe = CreatePipe(options);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  absl::StatusOr<size_t> capacity = PipeCapacity(pipe->writer.fd());
  ASSERT_TRUE(capacity.ok());
  ASSERT_LT(*capacity, kSize / 100);

  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    EXPECT_TRUE(pipe->reader.Close().ok());
    const std::string data = Pattern(kSize);
    size_t written = 0;
    const absl::Status s = pipe->writer.WriteAll(data, Soon(), &written);
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(written, kSize);
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pipe->writer.Close().ok());

  // Read in odd-sized pieces to exercise boundaries that match nothing.
  std::vector<char> buf(10007);
  size_t total = 0;
  size_t mismatch_at = absl::string_view::npos;
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<size_t> n =
        pipe->reader.ReadUntil(absl::MakeSpan(buf), Soon());
    if (!n.ok()) {
      status = n.status();
      break;
    }
    const size_t bad =
        FirstPatternMismatch(absl::string_view(buf.data(), *n), total);
    if (bad != absl::string_view::npos &&
        mismatch_at == absl::string_view::npos) {
      mismatch_at = total + bad;
    }
    total += *n;
  }
  EXPECT_TRUE(IsEndOfStream(status)) << status;
  EXPECT_EQ(total, kSize);
  EXPECT_EQ(mismatch_at, absl::string_view::npos);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

INSTANTIATE_TEST_SUITE_P(BlockingAndNonBlocking, LargeTransferTest,
                         ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "NonBlocking" : "Blocking";
                         });

// Several processes write PIPE_BUF-sized records into one pipe at once; the
// reader must find every record whole. Half the writers use plain blocking
// writes, half the timed path (which writes in PIPE_BUF chunks on a blocking
// end), so both keep the guarantee.
TEST(MultiProcessPipeTest, AtomicWritesFromSeveralChildrenDoNotInterleave) {
  constexpr int kWriters = 4;
  constexpr int kRecordsEach = 300;
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();

  std::vector<ChildProcess> children;
  for (int w = 0; w < kWriters; ++w) {
    absl::StatusOr<ChildProcess> child = ForkChild([&, w] {
      EXPECT_TRUE(pipe->reader.Close().ok());
      const std::string record(kPipeAtomicWriteSize,
                               static_cast<char>('A' + w));
      for (int i = 0; i < kRecordsEach; ++i) {
        const absl::Status s = (w % 2 == 0)
                                   ? pipe->writer.WriteAll(record)
                                   : pipe->writer.WriteAll(record, Soon());
        if (!s.ok()) return 2;
      }
      return 0;
    });
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  ASSERT_TRUE(pipe->writer.Close().ok());

  std::array<int, kWriters> records{};
  int torn = 0;
  std::string record(kPipeAtomicWriteSize, '\0');
  for (;;) {
    const absl::Status s =
        pipe->reader.ReadFull(absl::MakeSpan(record), Soon());
    if (IsEndOfStream(s)) break;  // not part-way through a record
    ASSERT_TRUE(s.ok()) << s;
    const char first = record[0];
    if (first < 'A' || first >= 'A' + kWriters ||
        record.find_first_not_of(first) != std::string::npos) {
      ++torn;
      continue;
    }
    ++records[first - 'A'];
  }
  EXPECT_EQ(torn, 0);
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(records[w], kRecordsEach) << "writer " << w;
  }
  for (ChildProcess& child : children) {
    EXPECT_TRUE(ExitedWith(child.Wait(kChildTimeout), 0));
  }
}

TEST(MultiProcessPipeTest, WriterGetsEpipeWhenTheReadingProcessExits) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    EXPECT_TRUE(pipe->writer.Close().ok());
    char buf[4];
    size_t read = 0;
    EXPECT_TRUE(pipe->reader.ReadFull(absl::MakeSpan(buf), Soon(), &read).ok());
    return 0;  // exits without reading the rest: the read end goes away
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pipe->reader.Close().ok());
  // A writer that keeps writing: blocked on a full pipe when the child goes,
  // it must wake up with EPIPE, not hang and not die.
  const std::string data = Pattern(1 << 20);
  size_t written = 0;
  absl::Status s = pipe->writer.WriteAll(data, Soon(), &written);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("Broken pipe"));
  EXPECT_GE(written, 4u);
  EXPECT_LT(written, data.size());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(MultiProcessPipeTest, ChildInheritsADuplicatedEndAcrossFork) {
  // What lib/process does before exec: put the read end on a fixed number.
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    EXPECT_TRUE(pipe->writer.Close().ok());
    constexpr int kTarget = 63;
    if (!pipe->reader.DuplicateOnto(kTarget).ok()) return 2;
    EXPECT_TRUE(pipe->reader.Close().ok());
    char buf[16];
    const ssize_t n = ::read(kTarget, buf, sizeof(buf));
    return n == 5 && absl::string_view(buf, 5) == "stdin" ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pipe->reader.Close().ok());
  EXPECT_TRUE(pipe->writer.WriteAll("stdin").ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

}  // namespace
}  // namespace ipcbox::testing
