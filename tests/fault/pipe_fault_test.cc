// lib/pipe under injected faults: EINTR storms and short transfers are
// absorbed (the reader and writer say they retry EINTR and loop over partial
// transfers); ENOSPC, EAGAIN on a blocking end, and pipe2's EMFILE become
// statuses, are not retried, and leak no descriptor.

#include <errno.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"
#include "tests/support/pattern.h"

namespace ipcbox::testing {
namespace {

TEST(PipeFaultTest, AnEintrStormOnReadIsRetried) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const std::string data = Pattern(100);
  ASSERT_TRUE(pipe->writer.WriteAll(data).ok());
  ScopedFault storm(Syscall::kRead,
                    FaultOn(pipe->reader.fd().get(), EINTR, 200));
  std::string got(data.size(), '\0');
  EXPECT_TRUE(pipe->reader.ReadFull(absl::MakeSpan(got), Soon()).ok());
  EXPECT_EQ(got, data);
  EXPECT_EQ(storm.injected(), 200);
  Tally(storm);
}

TEST(PipeFaultTest, AnEintrStormOnWriteIsRetried) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const std::string data = Pattern(1000);
  ExpectRetriedThrough(Syscall::kWrite,
                       FaultOn(pipe->writer.fd().get(), EINTR, 200),
                       [&] { return pipe->writer.WriteAll(data); });
  std::string got(data.size(), '\0');
  EXPECT_TRUE(pipe->reader.ReadFull(absl::MakeSpan(got), Soon()).ok());
  EXPECT_EQ(got, data);
}

TEST(PipeFaultTest, ShortReadsAndWritesLoseAndReorderNothing) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  const std::string data = Pattern(5000);
  {
    ScopedFault short_writes(Syscall::kWrite,
                             FaultOn(pipe->writer.fd().get(), 0, -1, 3));
    EXPECT_TRUE(pipe->writer.WriteAll(data).ok());
    EXPECT_GE(short_writes.injected(), 5000 / 3);
    Tally(short_writes);
  }
  ScopedFault short_reads(Syscall::kRead,
                          FaultOn(pipe->reader.fd().get(), 0, -1, 7));
  std::string got(data.size(), '\0');
  EXPECT_TRUE(pipe->reader.ReadFull(absl::MakeSpan(got), Soon()).ok());
  EXPECT_EQ(got, data);
  EXPECT_GE(short_reads.injected(), 5000 / 7);
  Tally(short_reads);
}

TEST(PipeFaultTest, EnospcIsAStatusAndNotRetried) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  ScopedFault full(Syscall::kWrite,
                   FaultOn(pipe->writer.fd().get(), ENOSPC, 1));
  absl::Status s = pipe->writer.WriteAll("data");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(full.injected(), 1);
  Tally(full);
  // The end still works once the fault is gone.
  EXPECT_TRUE(pipe->writer.WriteAll("more").ok());
}

TEST(PipeFaultTest, EagainOnABlockingReadIsAStatusNotAHang) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  ScopedFault again(Syscall::kRead,
                    FaultOn(pipe->reader.fd().get(), EAGAIN, 1));
  char buf[8];
  absl::StatusOr<size_t> n = pipe->reader.Read(absl::MakeSpan(buf));
  EXPECT_TRUE(IsWouldBlock(n.status())) << n.status();
  EXPECT_EQ(again.injected(), 1);
  Tally(again);
}

TEST(PipeFaultTest, Pipe2FailingLeaksNothing) {
  const int before = OpenDescriptorCount();
  for (int error : {EMFILE, ENFILE}) {
    ScopedFault no_pipe(Syscall::kPipe2, FaultOn(-1, error, 1));
    absl::StatusOr<Pipe> pipe = CreatePipe();
    EXPECT_FALSE(pipe.ok());
    EXPECT_TRUE(absl::IsResourceExhausted(pipe.status())) << pipe.status();
    EXPECT_EQ(no_pipe.injected(), 1);
    Tally(no_pipe);
  }
  EXPECT_EQ(OpenDescriptorCount(), before);
}

}  // namespace
}  // namespace ipcbox::testing
