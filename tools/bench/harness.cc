#include "tools/bench/harness.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "tools/bench/case.h"
#include "tools/bench/cpu_affinity.h"
#include "tools/bench/peer.h"
#include "tools/bench/report.h"

ABSL_FLAG(int, repetitions, 11,
          "Timed repetitions per variant and layout (odd keeps the median a "
          "measured value).");
ABSL_FLAG(double, ops_scale, 1.0,
          "Multiplies every case's operations per repetition; use e.g. 0.01 "
          "under valgrind.");
ABSL_FLAG(std::string, layouts, "same,two",
          "Process layouts to run: \"same\" (both on one vCPU), \"two\" (one "
          "vCPU each), or both.");
ABSL_FLAG(std::string, filter, "",
          "Run only the cases whose name contains this text.");
ABSL_FLAG(absl::Duration, rep_timeout, absl::Seconds(60),
          "Longest a repetition may take; past it the program is stopped.");

namespace ipcbox::bench {

// The timed calls. Out of line, one per variant, and exempt from GCC's
// identical-code folding, so that callgrind's --toggle-collect can count each
// variant's instructions apart.
#if defined(__GNUC__) && !defined(__clang__)
#define IPCBOX_BENCH_OUT_OF_LINE __attribute__((noinline, noipa))
#else
#define IPCBOX_BENCH_OUT_OF_LINE __attribute__((noinline))
#endif

namespace internal {
absl::Status RawBatch(const Variant& variant, int64_t ops);
absl::Status IpcboxBatch(const Variant& variant, int64_t ops);
absl::Status RawPeer(const Variant& variant, int64_t ops);
absl::Status IpcboxPeer(const Variant& variant, int64_t ops);

IPCBOX_BENCH_OUT_OF_LINE absl::Status RawBatch(const Variant& variant,
                                               int64_t ops) {
  return variant.run(ops);
}

IPCBOX_BENCH_OUT_OF_LINE absl::Status IpcboxBatch(const Variant& variant,
                                                  int64_t ops) {
  return variant.run(ops);
}

// The peer's side, warm-up included.
IPCBOX_BENCH_OUT_OF_LINE absl::Status RawPeer(const Variant& variant,
                                              int64_t ops) {
  return variant.peer(ops);
}

IPCBOX_BENCH_OUT_OF_LINE absl::Status IpcboxPeer(const Variant& variant,
                                                 int64_t ops) {
  return variant.peer(ops);
}
}  // namespace internal

namespace {

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  // Widen first: time_t and long are 32 bits on armv7.
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 +
         static_cast<int64_t>(ts.tv_nsec);
}

// A hung peer blocks the parent inside the variant's own code, where no
// timeout of ours reaches; an alarm does. The handler only uses
// async-signal-safe calls; the peer follows through PR_SET_PDEATHSIG.
void OnWatchdog(int) {
  static const char kMessage[] =
      "benchmark: a repetition exceeded --rep_timeout; stopping\n";
  ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(124);
}

class Watchdog {
 public:
  explicit Watchdog(absl::Duration timeout) {
    if (timeout == absl::InfiniteDuration()) return;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = &OnWatchdog;
    sigaction(SIGALRM, &action, nullptr);
    const double seconds = std::ceil(absl::ToDoubleSeconds(timeout));
    alarm(static_cast<unsigned>(std::clamp(seconds, 1.0, 1e6)));
  }
  ~Watchdog() { alarm(0); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
};

struct OpCounts {
  int64_t timed;
  int64_t warmup;
};

OpCounts ScaleOps(const Case& bench_case, double scale) {
  auto scaled = [scale](int64_t ops) {
    return static_cast<int64_t>(std::llround(static_cast<double>(ops) * scale));
  };
  const int64_t timed = std::max<int64_t>(1, scaled(bench_case.ops_per_rep));
  const int64_t warmup =
      bench_case.warmup_ops < 0 ? timed / 10 : scaled(bench_case.warmup_ops);
  return {timed, warmup};
}

absl::Status Annotate(const absl::Status& status, const Variant& variant,
                      absl::string_view step) {
  return absl::Status(status.code(), absl::StrCat(variant.name, " ", step, ": ",
                                                  status.message()));
}

// Steps 2 to 4 of a repetition, once setup() has succeeded; returns the
// timed batch's duration in nanoseconds.
absl::StatusOr<int64_t> TimeOneBatch(const Variant& variant, bool is_raw,
                                     OpCounts ops, int peer_cpu,
                                     absl::Duration timeout) {
  std::optional<PeerProcess> peer;
  if (variant.peer) {
    const int64_t peer_ops = ops.warmup + ops.timed;
    absl::StatusOr<PeerProcess> started = PeerProcess::Start(
        peer_cpu,
        [&] {
          return variant.peer_setup ? variant.peer_setup() : absl::OkStatus();
        },
        [&] {
          return is_raw ? internal::RawPeer(variant, peer_ops)
                        : internal::IpcboxPeer(variant, peer_ops);
        },
        timeout);
    if (!started.ok()) return Annotate(started.status(), variant, "peer");
    peer.emplace(*std::move(started));
  }
  absl::Status status =
      ops.warmup > 0 ? variant.run(ops.warmup) : absl::OkStatus();
  int64_t elapsed = 0;
  if (status.ok()) {
    const int64_t start = MonotonicNs();
    status = is_raw ? internal::RawBatch(variant, ops.timed)
                    : internal::IpcboxBatch(variant, ops.timed);
    elapsed = MonotonicNs() - start;
  }
  if (!status.ok()) return Annotate(status, variant, "run");
  if (peer.has_value()) {
    if (absl::Status done = peer->Finish(timeout); !done.ok()) {
      return Annotate(done, variant, "peer");
    }
  }
  return elapsed;
}

// One repetition of one variant: nanoseconds per operation.
absl::StatusOr<double> RunRepetition(const Variant& variant, bool is_raw,
                                     OpCounts ops, int peer_cpu,
                                     absl::Duration timeout) {
  Watchdog watchdog(timeout);
  if (variant.setup) {
    if (absl::Status s = variant.setup(); !s.ok()) {
      return Annotate(s, variant, "setup");
    }
  }
  absl::StatusOr<int64_t> elapsed =
      TimeOneBatch(variant, is_raw, ops, peer_cpu, timeout);
  if (variant.teardown) variant.teardown();
  if (!elapsed.ok()) return elapsed.status();
  return static_cast<double>(*elapsed) / static_cast<double>(ops.timed);
}

// Picks CPU A and B for the layout, or says why it cannot run here.
std::string AssignCpus(const std::vector<int>& cpus, LayoutResult& result) {
  if (cpus.empty()) return "cannot read this process's CPU affinity";
  result.cpu_a = cpus[0];
  switch (result.layout) {
    case Layout::kOneProcess:
      return "";
    case Layout::kSameCpu:
      result.cpu_b = cpus[0];
      return "";
    case Layout::kTwoCpus:
      if (cpus.size() < 2) return "this process may use only one CPU";
      result.cpu_b = cpus[1];
      return "";
  }
  return "unknown layout";
}

LayoutResult RunLayout(const Comparison& comparison, Layout layout,
                       OpCounts ops, const Options& options) {
  LayoutResult result;
  result.layout = layout;
  result.skipped = AssignCpus(AllowedCpus(), result);
  if (!result.skipped.empty()) return result;

  AffinityRestorer restore_affinity;
  result.error = PinThisThread(result.cpu_a);
  for (int rep = 0; rep < options.repetitions && result.error.ok(); ++rep) {
    // Alternate which variant goes first, so that a bias of the first (or
    // second) slot, such as a cold cache after the fork, falls on both.
    const bool raw_first = rep % 2 == 0;
    for (bool is_raw : {raw_first, !raw_first}) {
      const Variant& variant = is_raw ? comparison.raw : comparison.ipcbox;
      absl::StatusOr<double> ns = RunRepetition(
          variant, is_raw, ops, result.cpu_b, options.rep_timeout);
      if (!ns.ok()) {
        result.error = ns.status();
        break;
      }
      (is_raw ? result.raw_ns_per_op : result.ipcbox_ns_per_op).push_back(*ns);
    }
  }
  return result;
}

absl::Status CheckVariants(const Comparison& comparison) {
  for (const Variant* variant : {&comparison.raw, &comparison.ipcbox}) {
    if (!variant->run) {
      return absl::InvalidArgumentError(
          absl::StrCat("variant \"", variant->name, "\" has no run function"));
    }
  }
  if (static_cast<bool>(comparison.raw.peer) !=
      static_cast<bool>(comparison.ipcbox.peer)) {
    return absl::InvalidArgumentError(
        "one variant has a peer and the other does not");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Options> Options::FromFlags() {
  Options options;
  options.repetitions = absl::GetFlag(FLAGS_repetitions);
  options.ops_scale = absl::GetFlag(FLAGS_ops_scale);
  options.filter = absl::GetFlag(FLAGS_filter);
  options.rep_timeout = absl::GetFlag(FLAGS_rep_timeout);
  if (options.repetitions < 1) {
    return absl::InvalidArgumentError("--repetitions must be at least 1");
  }
  if (!(options.ops_scale > 0)) {
    return absl::InvalidArgumentError("--ops_scale must be positive");
  }
  if (options.rep_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--rep_timeout must be positive");
  }
  absl::StatusOr<std::vector<Layout>> layouts =
      ParseLayouts(absl::GetFlag(FLAGS_layouts));
  if (!layouts.ok()) return layouts.status();
  options.layouts = *std::move(layouts);
  return options;
}

CaseResult RunComparison(const Comparison& comparison, const Options& options) {
  CaseResult result;
  result.bench_case = comparison.bench_case;
  const OpCounts ops = ScaleOps(comparison.bench_case, options.ops_scale);
  result.bench_case.ops_per_rep = ops.timed;
  result.bench_case.warmup_ops = ops.warmup;

  std::vector<Layout> layouts = options.layouts;
  if (!comparison.raw.peer) layouts = {Layout::kOneProcess};
  const absl::Status valid = CheckVariants(comparison);
  for (Layout layout : layouts) {
    if (!valid.ok()) {
      LayoutResult invalid;
      invalid.layout = layout;
      invalid.error = valid;
      result.layouts.push_back(std::move(invalid));
      continue;
    }
    result.layouts.push_back(RunLayout(comparison, layout, ops, options));
  }
  return result;
}

Suite& Suite::Add(Case bench_case, Variant raw, Variant ipcbox) {
  comparisons_.push_back(
      {std::move(bench_case), std::move(raw), std::move(ipcbox)});
  return *this;
}

std::vector<CaseResult> Suite::Run(const Options& options) const {
  std::vector<CaseResult> results;
  for (const Comparison& comparison : comparisons_) {
    if (!absl::StrContains(comparison.bench_case.name, options.filter)) {
      continue;
    }
    std::cerr << "running: " << comparison.bench_case.name << std::flush;
    results.push_back(RunComparison(comparison, options));
    // The op counts are what callgrind's instruction totals divide by.
    const Case& ran = results.back().bench_case;
    std::cerr << " (" << ran.ops_per_rep << " timed + " << ran.warmup_ops
              << " warm-up ops per repetition)" << std::endl;
  }
  return results;
}

namespace {

// argv[0] without its directories.
std::string ProgramName(int argc, char** argv) {
  const std::string path = argc > 0 ? argv[0] : "benchmark";
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int Suite::Main(int argc, char** argv) const {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      absl::StrCat(ProgramName(argc, argv), " [flags]: ", title_,
                   ": runs the benchmark cases and prints a table (see "
                   "tools/bench/README.md)."));
  absl::StatusOr<Options> options = Options::FromFlags();
  if (!options.ok()) {
    std::cerr << options.status().message() << std::endl;
    return 2;
  }
  Report report(title_, options->repetitions);
  for (const CaseResult& result : Run(*options)) report.Add(result);
  std::cout << report.Render() << std::flush;
  return report.has_errors() ? 1 : 0;
}

}  // namespace ipcbox::bench
