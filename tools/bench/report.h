// Report turns measurements into the table a person reads: one line per case
// and layout, with each variant's median time per operation, the median and
// range of the per-repetition ratios ipcbox / raw, and throughput.
//
//   ipcbox::bench::Report report("pipes", /*repetitions=*/11);
//   for (const CaseResult& result : results) report.Add(result);
//   std::cout << report.Render();
//
// prints a heading, a note on how to read it, and a Markdown table:
//
//   | case | layout | raw per op | ipcbox per op | ratio (median) | ...
//   | pipe round trip 64 B | same vCPU | 4.810 us | 4.902 us | 1.02 | ...

#ifndef IPCBOX_TOOLS_BENCH_REPORT_H_
#define IPCBOX_TOOLS_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "tools/bench/case.h"

namespace ipcbox::bench {

class Report {
 public:
  Report(std::string title, int repetitions);

  void Add(const CaseResult& result);

  // True once a case with an error has been added.
  bool has_errors() const { return has_errors_; }

  std::string Render() const;

 private:
  std::string title_;
  int repetitions_;
  bool has_errors_ = false;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> errors_;  // Footnotes: errors are long.
};

// The cells of one table line; exposed for tests. A failed layout's cell
// points to footnote `error_number`.
std::vector<std::string> ReportRow(const Case& bench_case,
                                   const LayoutResult& layout,
                                   int error_number);

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_REPORT_H_
