// The benchmark harness: measures an operation done with ipcbox against the
// same operation done with raw system calls, in the same run, and reports the
// ratio. A benchmark supplies the two ways of doing it (two Variants); the
// harness forks the peer process, pins both processes, interleaves the
// variants, times and reports. Benchmarks are not tests: nothing here asserts
// on time.
//
//   // State both variants use; the peer sees it through fork().
//   PipeBench pipes;
//   ipcbox::bench::Variant raw;
//   raw.name = "raw";
//   raw.setup = [&] { return pipes.OpenRaw(); };            // parent
//   raw.peer = [&](int64_t ops) { return pipes.EchoRaw(ops); };  // child
//   raw.run = [&](int64_t ops) { return pipes.PingRaw(ops); };   // timed
//   raw.teardown = [&] { pipes.Close(); };
//   ipcbox::bench::Variant lib = ...;  // The same with ipcbox::Pipe.
//
//   int main(int argc, char** argv) {
//     ipcbox::bench::Suite suite("pipes");
//     suite.Add({"pipe round trip 64 B", /*ops_per_rep=*/2000,
//                /*bytes_per_op=*/64},
//               raw, lib);
//     return suite.Main(argc, argv);  // Flags, run, report.
//   }
//
// For each case, layout and repetition, each variant in turn (raw, ipcbox;
// ipcbox, raw; raw, ipcbox; ... so that neither always goes first) goes
// through:
//   1. setup() in the parent;
//   2. fork of the peer, which pins itself to CPU B, runs peer_setup(), tells
//      the parent it is ready and runs peer(warm-up ops + timed ops);
//   3. in the parent, pinned to CPU A: run(warm-up ops) untimed, then
//      run(timed ops) timed on CLOCK_MONOTONIC;
//   4. the parent waits (bounded) for the peer to exit with code 0, then runs
//      teardown().
// Layouts: "same vCPU" puts A and B on the first CPU this process may use;
// "two vCPUs" on the first two (skipped, and reported as such, with one CPU).
// A case whose variants have no peer runs once, as "one process" on CPU A.
//
// Per layout the report gives each variant's median time per operation over
// the repetitions, throughput at that median when bytes_per_op is set, and
// the median (and range) of the per-repetition ratios ipcbox / raw. Pairing
// a repetition's two variants cancels slow drift of the machine that the two
// separate medians would not.
//
// The timed call goes through ipcbox::bench::internal::RawBatch or
// IpcboxBatch, and the peer's through RawPeer or IpcboxPeer, never inlined,
// so that callgrind can count each variant's instructions (see README.md).
//
// The harness pins the calling thread and restores its mask afterwards. A
// repetition that runs longer than --rep_timeout ends the program through
// SIGALRM (the peer gets SIGKILL with it), so a hung peer cannot hang a run.

#ifndef IPCBOX_TOOLS_BENCH_HARNESS_H_
#define IPCBOX_TOOLS_BENCH_HARNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/bench/case.h"

namespace ipcbox::bench {

// One way of doing the operation. Only `run` is required; a variant without
// `peer` runs in one process. Functions returning a non-OK status stop the
// case and put the status in the report.
struct Variant {
  std::string name;
  // Parent, once per repetition, before the peer is forked.
  std::function<absl::Status()> setup;
  // Peer, pinned to CPU B, before it reports ready (untimed).
  std::function<absl::Status()> peer_setup;
  // Peer: serve `ops` operations (warm-up and timed together), then return.
  std::function<absl::Status(int64_t ops)> peer;
  // Parent, pinned to CPU A: perform `ops` operations. Called twice per
  // repetition: once for the warm-up, once timed.
  std::function<absl::Status(int64_t ops)> run;
  // Parent, once per repetition, after the peer has exited. Runs even when a
  // step failed, once setup() has succeeded.
  std::function<void()> teardown;
};

// A loop of `ops` calls to `step`, stopping at the first error: the body of
// most `run` and `peer` functions. A template, so that `step` is inlined
// into the timed loop as a hand-written loop would be.
template <typename Step>
absl::Status Repeat(int64_t ops, Step step) {
  for (int64_t i = 0; i < ops; ++i) {
    if (absl::Status s = step(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

struct Comparison {
  Case bench_case;
  Variant raw;
  Variant ipcbox;
};

struct Options {
  int repetitions = 11;    // Odd, so that the median is a measured value.
  double ops_scale = 1.0;  // Multiplies every case's op counts.
  std::vector<Layout> layouts = {Layout::kSameCpu, Layout::kTwoCpus};
  std::string filter;  // Run only cases whose name contains this.
  // Bound on one repetition (setup to teardown) and on each wait for the peer.
  absl::Duration rep_timeout = absl::Seconds(60);

  // From --repetitions, --ops_scale, --layouts, --filter, --rep_timeout.
  static absl::StatusOr<Options> FromFlags();
};

// Runs one comparison in every applicable layout.
CaseResult RunComparison(const Comparison& comparison, const Options& options);

// A named list of comparisons with a main().
class Suite {
 public:
  explicit Suite(std::string title) : title_(std::move(title)) {}

  Suite& Add(Case bench_case, Variant raw, Variant ipcbox);

  // Runs the comparisons that pass the filter; progress goes to stderr.
  std::vector<CaseResult> Run(const Options& options) const;

  // Parses flags, runs, prints the report to stdout. Returns 0, 1 if any
  // case failed, 2 for bad flags.
  int Main(int argc, char** argv) const;

  const std::string& title() const { return title_; }

 private:
  std::string title_;
  std::vector<Comparison> comparisons_;
};

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_HARNESS_H_
