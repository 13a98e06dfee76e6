// Order statistics for benchmark repetitions. Benchmarks on shared virtual
// machines are noisy (one slow repetition in ten is common), so the harness
// reports medians, which one outlier cannot move, and the range beside them.
//
//   std::vector<double> raw = {310, 305, 900};     // ns per op, per repetition
//   std::vector<double> ipcbox = {320, 318, 330};
//   ipcbox::bench::Summary ratio =
//       ipcbox::bench::Summarize(ipcbox::bench::Ratios(ipcbox, raw));
//   // ratio.median == 320/310 (1.032), ratio.min == 330/900 (the outlier),
//   // ratio.max == 318/305 (1.043).

#ifndef IPCBOX_TOOLS_BENCH_STATS_H_
#define IPCBOX_TOOLS_BENCH_STATS_H_

#include <cstddef>
#include <vector>

#include "absl/types/span.h"

namespace ipcbox::bench {

// Median of the values; the mean of the two middle ones for an even count.
// NaN for no values.
double Median(absl::Span<const double> values);

// Element-wise numerator[i] / denominator[i], over the shorter of the two.
// Pairing matters: repetition i of both variants ran back to back, so their
// ratio cancels drift that their separate medians would not.
std::vector<double> Ratios(absl::Span<const double> numerator,
                           absl::Span<const double> denominator);

struct Summary {
  double median;
  double min;
  double max;
  size_t count;
};

// All fields NaN (count 0) for no values.
Summary Summarize(absl::Span<const double> values);

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_STATS_H_
