#include "tools/bench/stats.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "absl/types/span.h"

namespace ipcbox::bench {

double Median(absl::Span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t mid = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[mid];
  return (sorted[mid - 1] + sorted[mid]) / 2;
}

std::vector<double> Ratios(absl::Span<const double> numerator,
                           absl::Span<const double> denominator) {
  const size_t n = std::min(numerator.size(), denominator.size());
  std::vector<double> ratios;
  ratios.reserve(n);
  for (size_t i = 0; i < n; ++i)
    ratios.push_back(numerator[i] / denominator[i]);
  return ratios;
}

Summary Summarize(absl::Span<const double> values) {
  if (values.empty()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan, 0};
  }
  const auto [min, max] = std::minmax_element(values.begin(), values.end());
  return {Median(values), *min, *max, values.size()};
}

}  // namespace ipcbox::bench
