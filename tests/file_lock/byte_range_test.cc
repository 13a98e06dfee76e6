// ByteRange validation: negative and overflowing ranges are rejected, ranges
// that end at the largest offset are not, and messages show the range.

#include "ipcbox/file_lock/byte_range.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(ByteRangeTest, DefaultIsTheWholeFile) {
  EXPECT_EQ(ByteRange(), ByteRange::WholeFile());
  EXPECT_TRUE(ByteRange::WholeFile().unbounded());
  EXPECT_EQ(ByteRange::From(7), ByteRange::Of(7, 0));
  EXPECT_FALSE(ByteRange::Of(7, 1).unbounded());
}

TEST(ByteRangeTest, AcceptsRangesUpToTheLargestOffset) {
  for (ByteRange r :
       {ByteRange::WholeFile(), ByteRange::Of(0, 1),
        ByteRange::Of(1 << 30, 1 << 30), ByteRange::From(kMax),
        ByteRange::Of(kMax, 1), ByteRange::Of(0, kMax), ByteRange::Of(1, kMax),
        ByteRange::Of(kMax / 2, kMax / 2 + 1)}) {
    EXPECT_TRUE(ValidateByteRange(r).ok()) << r;
  }
}

TEST(ByteRangeTest, RejectsNegativeStartOrLength) {
  for (ByteRange r : {ByteRange::Of(-1, 0), ByteRange::Of(kMin, 1),
                      ByteRange::Of(0, -1), ByteRange::Of(10, kMin)}) {
    const absl::Status s = ValidateByteRange(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << r;
    EXPECT_THAT(s.message(), HasSubstr("negative"));
  }
}

TEST(ByteRangeTest, RejectsRangesThatOverflow) {
  for (ByteRange r :
       {ByteRange::Of(kMax, 2), ByteRange::Of(2, kMax),
        ByteRange::Of(kMax, kMax), ByteRange::Of(kMax / 2 + 1, kMax / 2 + 2)}) {
    const absl::Status s = ValidateByteRange(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << r;
    EXPECT_THAT(s.message(), HasSubstr("largest file offset"));
  }
}

TEST(ByteRangeTest, PrintsHalfOpenIntervals) {
  EXPECT_EQ(ByteRangeToString(ByteRange::Of(100, 50)), "[100, 150)");
  EXPECT_EQ(ByteRangeToString(ByteRange::WholeFile()), "[0, EOF and beyond)");
  EXPECT_EQ(ByteRangeToString(ByteRange::Of(kMax, 2)),
            "[9223372036854775807, +2)");
}

}  // namespace
}  // namespace ipcbox
