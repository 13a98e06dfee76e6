// The vocabulary shared by the harness and its report: what a benchmark case
// is, the process layouts it runs in, and the raw measurements it produces.
// Kept apart from the harness so that the report (and its tests) need no
// process machinery.
//
//   ipcbox::bench::Case c{"pipe round trip 64 B", /*ops_per_rep=*/2000,
//                         /*bytes_per_op=*/64};
//   absl::StatusOr<std::vector<ipcbox::bench::Layout>> layouts =
//       ipcbox::bench::ParseLayouts("same,two");

#ifndef IPCBOX_TOOLS_BENCH_CASE_H_
#define IPCBOX_TOOLS_BENCH_CASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox::bench {

// What is measured, independently of how.
struct Case {
  std::string name;            // e.g. "pipe round trip 64 B"
  int64_t ops_per_rep = 1000;  // Operations in one timed batch.
  int64_t bytes_per_op = 0;    // Payload per operation; 0: no MB/s column.
  // Untimed operations before each timed batch; -1: a tenth of ops_per_rep.
  int64_t warmup_ops = -1;
};

enum class Layout { kSameCpu, kTwoCpus, kOneProcess };

// "same vCPU", "two vCPUs", "one process".
const char* LayoutName(Layout layout);

// Parses a comma-separated list of "same" and "two".
absl::StatusOr<std::vector<Layout>> ParseLayouts(absl::string_view text);

struct LayoutResult {
  Layout layout = Layout::kSameCpu;
  int cpu_a = -1;       // The parent's CPU.
  int cpu_b = -1;       // The peer's CPU; -1 without a peer.
  std::string skipped;  // Why the layout was not run; empty if it was.
  absl::Status error;   // The first failure; the samples stop there.
  // Nanoseconds per operation, one value per repetition.
  std::vector<double> raw_ns_per_op;
  std::vector<double> ipcbox_ns_per_op;
};

struct CaseResult {
  Case bench_case;  // With the op counts actually used (after --ops_scale).
  std::vector<LayoutResult> layouts;
};

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_CASE_H_
