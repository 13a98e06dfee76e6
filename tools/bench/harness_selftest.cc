// Sanity check of the benchmark harness: both "variants" of every case are
// the same raw system calls, so every ratio must come out close to 1.00. A
// ratio far from it means the harness, not the code under test, is biased
// (a variant always running first and warming the cache for the other,
// pinning that did not happen, a peer left over from a previous repetition).
//
//   bazel run //tools/bench:harness_selftest
//   bazel run //tools/bench:harness_selftest -- --repetitions=21 --layouts=two
//
// Exits 0 when every median ratio is within --tolerance of 1, 1 otherwise.

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "examples/common/program_flags.h"
#include "tools/bench/harness.h"
#include "tools/bench/report.h"
#include "tools/bench/stats.h"

ABSL_FLAG(double, tolerance, 0.15,
          "Largest accepted distance of a median ratio from 1.");

namespace ipcbox::bench {
namespace {

constexpr size_t kMessage = 64;

absl::Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "write");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "read");
    if (n == 0) return absl::UnavailableError("read: end of file");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

void CloseAll(std::vector<int*> fds) {
  for (int* fd : fds) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

// write(2) of 64 bytes to /dev/null: a cheap system call, no peer.
struct DevNullWrite {
  int fd = -1;

  Variant MakeVariant(const char* name) {
    Variant v;
    v.name = name;
    v.setup = [this] {
      fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
      return fd >= 0 ? absl::OkStatus()
                     : absl::ErrnoToStatus(errno, "open(/dev/null)");
    };
    v.run = [this](int64_t ops) {
      char buffer[kMessage] = {};
      for (int64_t i = 0; i < ops; ++i) {
        if (write(fd, buffer, sizeof(buffer)) !=
            static_cast<ssize_t>(kMessage)) {
          return absl::ErrnoToStatus(errno, "write(/dev/null)");
        }
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { CloseAll({&fd}); };
    return v;
  }
};

// 64-byte ping over one pipe, echoed back by the peer over another.
struct PipeRoundTrip {
  int to_peer[2] = {-1, -1};
  int to_parent[2] = {-1, -1};

  Variant MakeVariant(const char* name) {
    Variant v;
    v.name = name;
    v.setup = [this] {
      if (pipe2(to_peer, O_CLOEXEC) != 0 || pipe2(to_parent, O_CLOEXEC) != 0) {
        return absl::ErrnoToStatus(errno, "pipe2");
      }
      return absl::OkStatus();
    };
    v.peer_setup = [this] {
      CloseAll({&to_peer[1], &to_parent[0]});  // The parent's ends.
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      char buffer[kMessage];
      for (int64_t i = 0; i < ops; ++i) {
        if (absl::Status s = ReadAll(to_peer[0], buffer, kMessage); !s.ok()) {
          return s;
        }
        if (absl::Status s = WriteAll(to_parent[1], buffer, kMessage);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    };
    v.run = [this](int64_t ops) {
      char buffer[kMessage] = {};
      for (int64_t i = 0; i < ops; ++i) {
        if (absl::Status s = WriteAll(to_peer[1], buffer, kMessage); !s.ok()) {
          return s;
        }
        if (absl::Status s = ReadAll(to_parent[0], buffer, kMessage); !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    };
    v.teardown = [this] {
      CloseAll({&to_peer[0], &to_peer[1], &to_parent[0], &to_parent[1]});
    };
    return v;
  }
};

// Prints one verdict line per measured layout; true if all are within bounds.
bool CheckRatios(const std::vector<CaseResult>& results, double tolerance) {
  bool all_ok = true;
  for (const CaseResult& result : results) {
    for (const LayoutResult& layout : result.layouts) {
      if (!layout.skipped.empty()) continue;
      const double ratio =
          Median(Ratios(layout.ipcbox_ns_per_op, layout.raw_ns_per_op));
      const bool ok = layout.error.ok() && std::fabs(ratio - 1) <= tolerance;
      all_ok = all_ok && ok;
      std::cout << absl::StrFormat(
          "self-check: %s, %s: ratio %.3f %s\n", result.bench_case.name,
          LayoutName(layout.layout), ratio,
          ok ? "OK" : "OUTSIDE 1 +/- tolerance (or failed)");
    }
  }
  return all_ok;
}

int Main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "harness_selftest [flags]: checks the benchmark harness itself.");
  absl::StatusOr<Options> options = Options::FromFlags();
  if (!options.ok()) {
    std::cerr << options.status().message() << std::endl;
    return 2;
  }
  DevNullWrite dev_null;
  PipeRoundTrip pipes;
  Suite suite("harness self-check (raw against itself)");
  suite.Add({"write 64 B to /dev/null", 20000, kMessage},
            dev_null.MakeVariant("raw"), dev_null.MakeVariant("raw again"));
  suite.Add({"pipe round trip 64 B", 1000, kMessage}, pipes.MakeVariant("raw"),
            pipes.MakeVariant("raw again"));

  const std::vector<CaseResult> results = suite.Run(*options);
  Report report(suite.title(), options->repetitions);
  for (const CaseResult& result : results) report.Add(result);
  std::cout << report.Render() << "\n";
  const bool ok = CheckRatios(results, absl::GetFlag(FLAGS_tolerance));
  return ok && !report.has_errors() ? 0 : 1;
}

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) { return ipcbox::bench::Main(argc, argv); }
