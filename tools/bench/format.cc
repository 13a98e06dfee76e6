#include "tools/bench/format.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"

namespace ipcbox::bench {
namespace {

constexpr char kNotAvailable[] = "n/a";

// Three decimals below 10, two below 100, one below 1000, none above: about
// four significant digits whatever the magnitude.
std::string FourDigits(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude < 10) return absl::StrFormat("%.3f", value);
  if (magnitude < 100) return absl::StrFormat("%.2f", value);
  if (magnitude < 1000) return absl::StrFormat("%.1f", value);
  return absl::StrFormat("%.0f", value);
}

}  // namespace

std::string FormatPerOp(double ns) {
  if (!std::isfinite(ns)) return kNotAvailable;
  // Switch units at 999.95 rather than 1000 so that rounding never prints
  // "1000.0 ns" where "1.000 us" belongs.
  if (ns < 999.95) return FourDigits(ns) + " ns";
  if (ns < 999.95e3) return FourDigits(ns / 1e3) + " us";
  if (ns < 999.95e6) return FourDigits(ns / 1e6) + " ms";
  return FourDigits(ns / 1e9) + " s";
}

std::string FormatMBps(int64_t bytes_per_op, double ns_per_op) {
  if (!std::isfinite(ns_per_op) || ns_per_op <= 0) return kNotAvailable;
  // bytes per ns is GB/s; times 1000 is MB/s.
  return FourDigits(static_cast<double>(bytes_per_op) / ns_per_op * 1e3);
}

std::string FormatRatio(double ratio) {
  if (!std::isfinite(ratio)) return kNotAvailable;
  return absl::StrFormat("%.2f", ratio);
}

}  // namespace ipcbox::bench
