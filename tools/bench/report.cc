#include "tools/bench/report.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/bench/case.h"
#include "tools/bench/format.h"
#include "tools/bench/stats.h"
#include "tools/bench/table.h"

namespace ipcbox::bench {
namespace {

std::string LayoutCell(const LayoutResult& layout) {
  std::string cell = LayoutName(layout.layout);
  if (layout.cpu_a < 0) return cell;
  absl::StrAppend(&cell, " (CPU ", layout.cpu_a);
  if (layout.cpu_b >= 0 && layout.cpu_b != layout.cpu_a) {
    absl::StrAppend(&cell, "+", layout.cpu_b);
  }
  return cell + ")";
}

}  // namespace

std::vector<std::string> ReportRow(const Case& bench_case,
                                   const LayoutResult& layout,
                                   int error_number) {
  std::vector<std::string> row = {bench_case.name, LayoutCell(layout)};
  if (!layout.skipped.empty()) {
    row.push_back("skipped: " + layout.skipped);
    return row;
  }
  if (!layout.error.ok()) {
    row.push_back(absl::StrCat("failed, see [", error_number, "]"));
    return row;
  }
  const double raw = Median(layout.raw_ns_per_op);
  const double ipcbox = Median(layout.ipcbox_ns_per_op);
  const Summary ratio =
      Summarize(Ratios(layout.ipcbox_ns_per_op, layout.raw_ns_per_op));
  row.push_back(FormatPerOp(raw));
  row.push_back(FormatPerOp(ipcbox));
  row.push_back(FormatRatio(ratio.median));
  row.push_back(
      absl::StrCat(FormatRatio(ratio.min), " - ", FormatRatio(ratio.max)));
  row.push_back(bench_case.bytes_per_op > 0
                    ? absl::StrCat(FormatMBps(bench_case.bytes_per_op, raw),
                                   " / ",
                                   FormatMBps(bench_case.bytes_per_op, ipcbox))
                    : "-");
  return row;
}

Report::Report(std::string title, int repetitions)
    : title_(std::move(title)), repetitions_(repetitions) {}

void Report::Add(const CaseResult& result) {
  for (const LayoutResult& layout : result.layouts) {
    if (!layout.error.ok()) {
      has_errors_ = true;
      errors_.push_back(absl::StrCat(
          "[", errors_.size() + 1, "] ", result.bench_case.name, ", ",
          LayoutName(layout.layout), ": ", layout.error.ToString(), "\n"));
    }
    rows_.push_back(
        ReportRow(result.bench_case, layout, static_cast<int>(errors_.size())));
  }
}

std::string Report::Render() const {
  TextTable table({"case", "layout", "raw per op", "ipcbox per op",
                   "ratio (median)", "ratio min - max", "MB/s raw / ipcbox"});
  for (const auto& row : rows_) table.AddRow(row);
  return absl::StrCat(
      "# ", title_, ": ipcbox vs raw system calls\n\n", repetitions_,
      " repetitions per layout, raw and ipcbox interleaved (alternating\n"
      "which goes first). Per op: median over repetitions of (batch time on\n"
      "CLOCK_MONOTONIC / ops). Ratio: ipcbox / raw within each repetition,\n"
      "median and range; 1.00 is parity, above is slower. MB/s: 10^6 bytes\n"
      "per second at the median time.\n\n",
      table.Render(), errors_.empty() ? "" : "\n", absl::StrJoin(errors_, ""));
}

}  // namespace ipcbox::bench
