// `ipcbox bench`: one round trip per mechanism between two processes on
// this board, done with ipcbox and with raw system calls, through the
// tools/bench harness (pinned processes, interleaved repetitions, median
// ratio). A short subset of tools/bench: the round trips of pipes, Unix
// stream sockets, POSIX message queues and POSIX semaphores, 64-byte
// messages, both processes on one CPU. The full benchmarks stay in
// tools/bench.
//
//   for (const BenchRow& row : RunBench(/*quick=*/true)) ...
#ifndef IPCBOX_TOOLS_IPCBOX_BENCH_H_
#define IPCBOX_TOOLS_IPCBOX_BENCH_H_

#include <string>
#include <vector>

namespace ipcbox::tool {

struct BenchRow {
  std::string mechanism;
  double ipcbox_ns = 0;  // median per round trip
  double raw_ns = 0;
  double ratio = 0;   // median of per-repetition ipcbox/raw
  std::string error;  // why there are no numbers; empty if there are
};

// `quick`: 3 repetitions of 2 % of tools/bench's op counts (about a
// second); otherwise 7 repetitions of 20 %.
std::vector<BenchRow> RunBench(bool quick);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_BENCH_H_
