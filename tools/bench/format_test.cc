#include "tools/bench/format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "tools/bench/table.h"

namespace ipcbox::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(FormatPerOpTest, PicksAUnitWithFourSignificantDigits) {
  EXPECT_EQ(FormatPerOp(0.5), "0.500 ns");
  EXPECT_EQ(FormatPerOp(12.346), "12.35 ns");
  EXPECT_EQ(FormatPerOp(312.44), "312.4 ns");
  EXPECT_EQ(FormatPerOp(4810), "4.810 us");
  EXPECT_EQ(FormatPerOp(64800), "64.80 us");
  EXPECT_EQ(FormatPerOp(123456), "123.5 us");
  EXPECT_EQ(FormatPerOp(2.5e6), "2.500 ms");
  EXPECT_EQ(FormatPerOp(3e9), "3.000 s");
}

TEST(FormatPerOpTest, NeverPrintsAThousandOfAUnit) {
  EXPECT_EQ(FormatPerOp(999.94), "999.9 ns");
  EXPECT_EQ(FormatPerOp(999.96), "1.000 us");
  EXPECT_EQ(FormatPerOp(999.96e3), "1.000 ms");
}

TEST(FormatPerOpTest, NotANumberIsNotAvailable) {
  EXPECT_EQ(FormatPerOp(kNaN), "n/a");
  EXPECT_EQ(FormatPerOp(kInf), "n/a");
}

TEST(FormatMBpsTest, ConvertsBytesPerNanosecond) {
  EXPECT_EQ(FormatMBps(64, 312.44), "204.8");
  EXPECT_EQ(FormatMBps(65536, 1600), "40960");  // 64 KiB memcpy speed.
  EXPECT_EQ(FormatMBps(64, 123400), "0.519");
  EXPECT_EQ(FormatMBps(64, 0), "n/a");
  EXPECT_EQ(FormatMBps(64, kNaN), "n/a");
}

TEST(FormatRatioTest, TwoDecimals) {
  EXPECT_EQ(FormatRatio(1.0), "1.00");
  EXPECT_EQ(FormatRatio(1.0467), "1.05");
  EXPECT_EQ(FormatRatio(0.994), "0.99");
  EXPECT_EQ(FormatRatio(kNaN), "n/a");
}

TEST(TextTableTest, PadsColumnsToTheWidestCell) {
  TextTable table({"case", "ratio"});
  table.AddRow({"pipe round trip 64 B", "1.03"});
  table.AddRow({"x", "12.50"});
  EXPECT_EQ(table.Render(),
            "| case                 | ratio |\n"
            "|----------------------|-------|\n"
            "| pipe round trip 64 B | 1.03  |\n"
            "| x                    | 12.50 |\n");
}

TEST(TextTableTest, ShortRowsArePaddedLongRowsCut) {
  TextTable table({"a", "b"});
  table.AddRow({"only"});
  table.AddRow({"1", "2", "3"});
  EXPECT_EQ(table.Render(),
            "| a    | b |\n"
            "|------|---|\n"
            "| only |   |\n"
            "| 1    | 2 |\n");
}

TEST(TextTableTest, HeaderOnly) {
  EXPECT_EQ(TextTable({"case"}).Render(), "| case |\n|------|\n");
}

}  // namespace
}  // namespace ipcbox::bench
