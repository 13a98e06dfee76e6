// Tests of the harness's bookkeeping (forking, ordering, counting, error
// paths) with trivial variants. Nothing here looks at how long anything took.

#include "tools/bench/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tools/bench/case.h"

namespace ipcbox::bench {
namespace {

Options SmallOptions() {
  Options options;
  options.repetitions = 3;
  options.rep_timeout = absl::Seconds(30);
  return options;
}

// Records, in the parent, every call the harness makes.
struct Journal {
  std::vector<std::string> calls;
  std::vector<int64_t> run_ops;

  Variant MakeVariant(const std::string& name) {
    Variant v;
    v.name = name;
    v.setup = [this, name] {
      calls.push_back(name + " setup");
      return absl::OkStatus();
    };
    v.run = [this, name](int64_t ops) {
      calls.push_back(name + " run");
      run_ops.push_back(ops);
      return absl::OkStatus();
    };
    v.teardown = [this, name] { calls.push_back(name + " teardown"); };
    return v;
  }
};

// The parent writes one byte per op into a pipe; the peer reads as many as
// it was told to serve. A peer told too many would block (and fail the
// repetition on the timeout); one told too few leaves bytes, which teardown
// notices.
struct BytePipe {
  int fds[2] = {-1, -1};
  int leftover_bytes = 0;

  Variant MakeVariant(const std::string& name, bool peer_fails = false) {
    Variant v;
    v.name = name;
    v.setup = [this] {
      return pipe2(fds, O_CLOEXEC) == 0 ? absl::OkStatus()
                                        : absl::ErrnoToStatus(errno, "pipe2");
    };
    v.peer_setup = [this] {
      close(fds[1]);
      return absl::OkStatus();
    };
    v.peer = [this, peer_fails](int64_t ops) {
      if (peer_fails) return absl::InternalError("deliberate peer failure");
      char byte;
      for (int64_t i = 0; i < ops; ++i) {
        if (read(fds[0], &byte, 1) != 1) {
          return absl::DataLossError("fewer bytes than operations");
        }
      }
      return absl::OkStatus();
    };
    v.run = [this](int64_t ops) {
      for (int64_t i = 0; i < ops; ++i) {
        if (write(fds[1], "x", 1) != 1) {
          return absl::ErrnoToStatus(errno, "write");
        }
      }
      return absl::OkStatus();
    };
    v.teardown = [this] {
      fcntl(fds[0], F_SETFL, O_NONBLOCK);
      char byte;
      while (read(fds[0], &byte, 1) == 1) ++leftover_bytes;
      close(fds[0]);
      close(fds[1]);
    };
    return v;
  }
};

TEST(HarnessTest, OneProcessCaseInterleavesAndAlternatesTheFirstVariant) {
  Journal journal;
  const Comparison comparison{{"journal", 100, 0, 5},
                              journal.MakeVariant("raw"),
                              journal.MakeVariant("ipcbox")};
  const CaseResult result = RunComparison(comparison, SmallOptions());

  ASSERT_EQ(result.layouts.size(), 1u);
  const LayoutResult& layout = result.layouts[0];
  EXPECT_EQ(layout.layout, Layout::kOneProcess);
  ASSERT_TRUE(layout.error.ok()) << layout.error;
  EXPECT_EQ(layout.raw_ns_per_op.size(), 3u);
  EXPECT_EQ(layout.ipcbox_ns_per_op.size(), 3u);

  std::vector<std::string> expected;
  for (const char* name : {"raw", "ipcbox", "ipcbox", "raw", "raw", "ipcbox"}) {
    const std::string n = name;
    // Setup, warm-up run, timed run, teardown.
    expected.insert(expected.end(),
                    {n + " setup", n + " run", n + " run", n + " teardown"});
  }
  EXPECT_EQ(journal.calls, expected);
  for (size_t i = 0; i < journal.run_ops.size(); ++i) {
    EXPECT_EQ(journal.run_ops[i], i % 2 == 0 ? 5 : 100) << "call " << i;
  }
}

TEST(HarnessTest, OpsScaleAppliesToTimedAndWarmupOps) {
  Journal journal;
  const Comparison comparison{{"journal", 1000, 0, -1},
                              journal.MakeVariant("raw"),
                              journal.MakeVariant("ipcbox")};
  Options options = SmallOptions();
  options.repetitions = 1;
  options.ops_scale = 0.5;
  const CaseResult result = RunComparison(comparison, options);
  EXPECT_EQ(result.bench_case.ops_per_rep, 500);
  EXPECT_EQ(result.bench_case.warmup_ops, 50);  // A tenth by default.
  EXPECT_EQ(journal.run_ops, (std::vector<int64_t>{50, 500, 50, 500}));
}

TEST(HarnessTest, PeerServesWarmupAndTimedOpsInEveryLayout) {
  BytePipe pipe;
  const Comparison comparison{{"byte pipe", 50, 1, 7},
                              pipe.MakeVariant("raw"),
                              pipe.MakeVariant("ipcbox")};
  const CaseResult result = RunComparison(comparison, SmallOptions());

  ASSERT_EQ(result.layouts.size(), 2u);
  for (const LayoutResult& layout : result.layouts) {
    SCOPED_TRACE(LayoutName(layout.layout));
    if (!layout.skipped.empty()) {
      EXPECT_EQ(layout.layout, Layout::kTwoCpus);  // Only on one-CPU hosts.
      continue;
    }
    ASSERT_TRUE(layout.error.ok()) << layout.error;
    EXPECT_EQ(layout.raw_ns_per_op.size(), 3u);
    EXPECT_EQ(layout.ipcbox_ns_per_op.size(), 3u);
    EXPECT_GE(layout.cpu_a, 0);
    EXPECT_GE(layout.cpu_b, 0);
    if (layout.layout == Layout::kSameCpu) {
      EXPECT_EQ(layout.cpu_a, layout.cpu_b);
    } else {
      EXPECT_NE(layout.cpu_a, layout.cpu_b);
    }
  }
  EXPECT_EQ(pipe.leftover_bytes, 0);
}

TEST(HarnessTest, FailingPeerIsReportedAndStopsTheLayout) {
  BytePipe pipe;
  Options options = SmallOptions();
  options.layouts = {Layout::kSameCpu};
  const Comparison comparison{{"byte pipe", 10, 1},
                              pipe.MakeVariant("raw"),
                              pipe.MakeVariant("ipcbox", /*peer_fails=*/true)};
  const CaseResult result = RunComparison(comparison, options);
  ASSERT_EQ(result.layouts.size(), 1u);
  const absl::Status& error = result.layouts[0].error;
  EXPECT_FALSE(error.ok());
  EXPECT_TRUE(absl::StrContains(error.message(), "ipcbox")) << error;
  EXPECT_EQ(result.layouts[0].raw_ns_per_op.size(), 1u);
  EXPECT_TRUE(result.layouts[0].ipcbox_ns_per_op.empty());
}

TEST(HarnessTest, FailingSetupSkipsRunAndTeardown) {
  Journal journal;
  Variant broken = journal.MakeVariant("ipcbox");
  broken.setup = [] { return absl::UnavailableError("deliberate"); };
  const Comparison comparison{
      {"journal", 10}, journal.MakeVariant("raw"), broken};
  const CaseResult result = RunComparison(comparison, SmallOptions());
  ASSERT_EQ(result.layouts.size(), 1u);
  EXPECT_EQ(result.layouts[0].error.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(result.layouts[0].error.message(),
                                "ipcbox setup: deliberate"))
      << result.layouts[0].error;
  EXPECT_EQ(journal.calls,
            (std::vector<std::string>{"raw setup", "raw run", "raw run",
                                      "raw teardown"}));
}

TEST(HarnessTest, VariantWithoutRunIsAnError) {
  Journal journal;
  Variant empty;
  empty.name = "ipcbox";
  const Comparison comparison{
      {"journal", 10}, journal.MakeVariant("raw"), empty};
  const CaseResult result = RunComparison(comparison, SmallOptions());
  ASSERT_EQ(result.layouts.size(), 1u);
  EXPECT_EQ(result.layouts[0].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(journal.calls.empty());
}

TEST(HarnessTest, SuiteRunsOnlyMatchingCases) {
  Journal journal;
  Suite suite("filter");
  suite.Add({"pipe one", 10}, journal.MakeVariant("raw"),
            journal.MakeVariant("ipcbox"));
  suite.Add({"socket two", 10}, journal.MakeVariant("raw"),
            journal.MakeVariant("ipcbox"));
  Options options = SmallOptions();
  options.repetitions = 1;
  options.filter = "socket";
  const std::vector<CaseResult> results = suite.Run(options);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].bench_case.name, "socket two");
}

}  // namespace
}  // namespace ipcbox::bench
