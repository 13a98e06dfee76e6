// How the benchmark report writes numbers: times per operation with a unit
// chosen so that three or four significant digits show, throughput in MB/s
// (10^6 bytes per second), ratios with two decimals. ASCII only ("us", not
// "µs"), since boards' serial consoles often are not UTF-8.
//
//   FormatPerOp(312.44)      == "312.4 ns"
//   FormatPerOp(64800)       == "64.80 us"
//   FormatMBps(64, 312.44)   == "204.8"     // 64 B every 312.44 ns
//   FormatRatio(1.0467)      == "1.05"
//
// Every function returns "n/a" for NaN or infinite input.

#ifndef IPCBOX_TOOLS_BENCH_FORMAT_H_
#define IPCBOX_TOOLS_BENCH_FORMAT_H_

#include <cstdint>
#include <string>

namespace ipcbox::bench {

// Nanoseconds per operation, as ns, us, ms or s.
std::string FormatPerOp(double ns);

// Throughput of `bytes_per_op` bytes every `ns_per_op` nanoseconds, in MB/s.
std::string FormatMBps(int64_t bytes_per_op, double ns_per_op);

std::string FormatRatio(double ratio);

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_FORMAT_H_
