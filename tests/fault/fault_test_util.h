// Helpers for the fault-injection tests: building a Fault, the two checks
// most faults come down to (an EINTR storm is ridden out; a failure is an
// error naming its call), leak checks (descriptors, /dev/shm), and a tally
// of the faults injected, printed at the end so that each binary reports
// how many it tried.

#ifndef IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_
#define IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_

#include <dirent.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {

// Descriptors open in this process now.
inline int OpenDescriptorCount() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (::readdir(dir) != nullptr) ++n;
  ::closedir(dir);
  return n - 3;  // ".", "..", and the directory's own descriptor
}

// Faults injected in this binary (calls failed or shortened), for the
// summary line.
inline int64_t& TotalInjected() {
  static int64_t total = 0;
  return total;
}

// Distinct faults tried in this binary: one per armed (call, errno or
// short transfer, position), however many calls it then hit.
inline int64_t& TotalCases() {
  static int64_t total = 0;
  return total;
}

// The names in a directory (e.g. a test's own directory), to show that a
// failed call left no file behind.
inline std::set<std::string> DirectoryEntries(const char* path) {
  std::set<std::string> names;
  DIR* dir = ::opendir(path);
  if (dir == nullptr) return names;
  while (const struct dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  ::closedir(dir);
  return names;
}

// The names in /dev/shm that UniqueName(prefix) made in this process
// ("<prefix>.<pid>.<hex>", also inside glibc's "sem.<name>"). /dev/shm is
// shared with the tests running beside this one (Bazel's sandbox does not
// give each its own), and a pid namespace repeats pids, so the prefix,
// which only one test binary uses, is what makes them this test's.
inline std::set<std::string> OwnSharedMemoryEntries(const char* prefix) {
  const std::string own = absl::StrCat(prefix, ".", ::getpid(), ".");
  std::set<std::string> names;
  for (const std::string& name : DirectoryEntries("/dev/shm")) {
    if (absl::StrContains(name, own)) names.insert(name);
  }
  return names;
}

// How many calls an EINTR storm interrupts, and a deadline no passing run
// comes near (only a call that hangs on the storm reaches it).
inline constexpr int kStorm = 100;
inline constexpr absl::Duration kLong = absl::Seconds(30);
inline Deadline Soon() { return Deadline::After(kLong); }

// A fault of `error` on the next `count` calls (-1: every call), on
// descriptor (or id) `fd` (-1: any); with `error` 0 and `max_bytes` set, a
// short transfer instead.
inline Fault FaultOn(int fd, int error, int count, size_t max_bytes = 0) {
  Fault f;
  f.fd = fd;
  f.error = error;
  f.count = count;
  f.max_bytes = max_bytes;
  return f;
}

// Adds what `fault` injected to the binary's totals.
inline void Tally(const ScopedFault& fault) {
  TotalInjected() += fault.injected();
  ++TotalCases();
}

// An injected failure must come back as an error status that names the
// call it came from (not ok, not a crash, not some other call's error).
inline ::testing::AssertionResult IsErrorNaming(const absl::Status& status,
                                                const char* call) {
  if (status.ok()) {
    return ::testing::AssertionFailure()
           << "ok, expected an error from " << call;
  }
  if (!absl::StrContains(status.message(), call)) {
    return ::testing::AssertionFailure() << status << " does not name " << call;
  }
  return ::testing::AssertionSuccess();
}

// The status a call ended with, whether it returns absl::Status or
// absl::StatusOr<T>.
inline absl::Status StatusOf(absl::Status status) { return status; }
template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}

// Arms `fault` on `call`, runs `op`, expects the fault to have been
// injected `times` times (and tallies it), and returns the status op()
// ended with, for the caller's own checks of it.
template <typename Op>
absl::Status StatusUnderFault(Syscall call, const Fault& fault, Op op,
                              int64_t times = 1) {
  ScopedFault armed(call, fault);
  absl::Status status = StatusOf(op());
  EXPECT_EQ(armed.injected(), times)
      << SyscallName(call) << ", errno " << fault.error;
  Tally(armed);
  return status;
}

// Arms `storm` (EINTR on `storm.count` calls) on `call`, runs `op` and
// expects what the headers promise for EINTR: op() (returning a Status or
// StatusOr) succeeds, having retried through every fault. Tallies them.
template <typename Op>
void ExpectRetriedThrough(Syscall call, const Fault& storm, Op op) {
  ScopedFault armed(call, storm);
  const absl::Status status = StatusOf(op());
  EXPECT_TRUE(status.ok()) << SyscallName(call) << " storm: " << status;
  EXPECT_EQ(armed.injected(), storm.count) << SyscallName(call);
  Tally(armed);
}

// Arms `fault` (one failure) on `call`, runs `op` and expects it to fail
// with an error naming `named` (IsErrorNaming) after exactly that one
// fault. Tallies it.
template <typename Op>
void ExpectFailureNaming(Syscall call, const Fault& fault, const char* named,
                         Op op) {
  EXPECT_TRUE(IsErrorNaming(StatusUnderFault(call, fault, op), named))
      << SyscallName(call) << ", errno " << fault.error;
}

// Made first in a test (or as a fixture's first member), checks when it
// goes away that the test left no descriptor open and, given the prefix
// its objects are named with, nothing of its own in /dev/shm
// (OwnSharedMemoryEntries): a failed call must clean up after itself.
class LeakCheck {
 public:
  explicit LeakCheck(const char* shm_prefix = nullptr)
      : shm_prefix_(shm_prefix), fds_(OpenDescriptorCount()) {
    if (shm_prefix_ != nullptr) shm_ = OwnSharedMemoryEntries(shm_prefix_);
  }
  ~LeakCheck() {
    EXPECT_EQ(OpenDescriptorCount(), fds_) << "descriptors left open";
    if (shm_prefix_ != nullptr) {
      EXPECT_EQ(OwnSharedMemoryEntries(shm_prefix_), shm_);
    }
  }
  LeakCheck(const LeakCheck&) = delete;
  LeakCheck& operator=(const LeakCheck&) = delete;

 private:
  const char* shm_prefix_;
  int fds_;
  std::set<std::string> shm_;
};

class FaultTally : public ::testing::EmptyTestEventListener {
 public:
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    std::printf(
        "fault injection: %lld faults injected in this binary, "
        "%lld distinct (call x errno x position)\n",
        static_cast<long long>(TotalInjected()),
        static_cast<long long>(TotalCases()));
  }
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_
