#include "tools/bench/report.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tools/bench/case.h"

namespace ipcbox::bench {
namespace {

using Cells = std::vector<std::string>;

LayoutResult Measured(Layout layout, std::vector<double> raw,
                      std::vector<double> ipcbox) {
  LayoutResult result;
  result.layout = layout;
  result.cpu_a = 0;
  result.cpu_b = layout == Layout::kTwoCpus ? 1 : 0;
  result.raw_ns_per_op = std::move(raw);
  result.ipcbox_ns_per_op = std::move(ipcbox);
  return result;
}

TEST(ReportRowTest, MediansRatiosAndThroughput) {
  const Case pipe{"pipe round trip 64 B", 1000, 64};
  EXPECT_EQ(ReportRow(pipe,
                      Measured(Layout::kSameCpu, {4000, 5000, 6000},
                               {4400, 5000, 6600}),
                      0),
            (Cells{"pipe round trip 64 B", "same vCPU (CPU 0)", "5.000 us",
                   "5.000 us", "1.10", "1.00 - 1.10", "12.80 / 12.80"}));
}

TEST(ReportRowTest, NoBytesNoThroughput) {
  const Case lock{"lock and unlock", 1000};
  EXPECT_EQ(ReportRow(lock, Measured(Layout::kTwoCpus, {80e3}, {84e3}), 0),
            (Cells{"lock and unlock", "two vCPUs (CPU 0+1)", "80.00 us",
                   "84.00 us", "1.05", "1.05 - 1.05", "-"}));
}

TEST(ReportRowTest, OneProcessShowsOneCpu) {
  LayoutResult one = Measured(Layout::kOneProcess, {300}, {300});
  one.cpu_b = -1;
  EXPECT_EQ(ReportRow({"write", 10}, one, 0)[1], "one process (CPU 0)");
}

TEST(ReportRowTest, SkippedLayoutSaysWhy) {
  LayoutResult skipped;
  skipped.layout = Layout::kTwoCpus;
  skipped.skipped = "this process may use only one CPU";
  EXPECT_EQ(ReportRow({"pipe", 10}, skipped, 0),
            (Cells{"pipe", "two vCPUs",
                   "skipped: this process may use only one CPU"}));
}

TEST(ReportTest, ErrorsBecomeFootnotes) {
  CaseResult result;
  result.bench_case = {"pipe round trip 64 B", 1000, 64};
  result.layouts.push_back(Measured(Layout::kSameCpu, {5000}, {5100}));
  LayoutResult failed = Measured(Layout::kTwoCpus, {}, {});
  failed.error = absl::UnavailableError("raw run: read: end of file");
  result.layouts.push_back(failed);

  Report report("pipes", 11);
  EXPECT_FALSE(report.has_errors());
  report.Add(result);
  EXPECT_TRUE(report.has_errors());
  const std::string text = report.Render();
  EXPECT_TRUE(absl::StartsWith(text, "# pipes: ipcbox vs raw system calls\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "11 repetitions per layout")) << text;
  EXPECT_TRUE(absl::StrContains(
      text,
      "| case                 | layout              | raw per op      | "
      "ipcbox per op | ratio (median) | ratio min - max | MB/s raw / ipcbox "
      "|\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "| failed, see [1] ")) << text;
  EXPECT_TRUE(absl::StrContains(
      text,
      "\n[1] pipe round trip 64 B, two vCPUs: UNAVAILABLE: raw run: read: "
      "end of file\n"))
      << text;
}

TEST(ParseLayoutsTest, AcceptsSameAndTwo) {
  EXPECT_EQ(*ParseLayouts("same,two"),
            (std::vector<Layout>{Layout::kSameCpu, Layout::kTwoCpus}));
  EXPECT_EQ(*ParseLayouts(" two "), (std::vector<Layout>{Layout::kTwoCpus}));
}

TEST(ParseLayoutsTest, RejectsUnknownAndEmpty) {
  EXPECT_EQ(ParseLayouts("same,three").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLayouts("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LayoutNameTest, NamesEveryLayout) {
  EXPECT_STREQ(LayoutName(Layout::kSameCpu), "same vCPU");
  EXPECT_STREQ(LayoutName(Layout::kTwoCpus), "two vCPUs");
  EXPECT_STREQ(LayoutName(Layout::kOneProcess), "one process");
}

}  // namespace
}  // namespace ipcbox::bench
