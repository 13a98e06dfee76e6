#include "ipcbox/core/timeout_error.h"

#include <cerrno>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace {

TEST(DescribeTimeoutTest, SaysWhatTimedOutAndAfterHowLong) {
  const absl::Status described =
      DescribeTimeout(TimedOutError(), "waiting for a reader on \"/tmp/f\"",
                      absl::Milliseconds(1500));
  EXPECT_EQ(described.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(described.message(),
            "waiting for a reader on \"/tmp/f\" timed out after 1.5s");
  // Described for a person, it is still the timed-out outcome.
  EXPECT_TRUE(IsTimedOut(described));
  // Describing it again keeps the first words.
  EXPECT_EQ(DescribeTimeout(described, "y", absl::Seconds(1)), described);
}

TEST(DescribeTimeoutTest, LeavesEveryOtherStatusAsItIs) {
  EXPECT_TRUE(DescribeTimeout(absl::OkStatus(), "x", absl::Seconds(1)).ok());
  const absl::Status would_block = WouldBlockError();
  EXPECT_EQ(DescribeTimeout(would_block, "x", absl::Seconds(1)), would_block);
  // ETIMEDOUT from the kernel is a failure, not the timed-out outcome.
  const absl::Status kernel = ErrnoError(ETIMEDOUT, "connect", "peer");
  EXPECT_EQ(DescribeTimeout(kernel, "x", absl::Seconds(1)), kernel);
}

}  // namespace
}  // namespace ipcbox
