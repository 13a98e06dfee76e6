// Helpers for the fault-injection tests: counting open descriptors (a leak
// check), and a tally of the faults injected per test, printed at the end
// so the suite reports how many it tried.

#ifndef IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_
#define IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_

#include <dirent.h>

#include <cstdint>
#include <cstdio>

#include "gtest/gtest.h"

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

// Faults injected in this binary, for the summary line.
inline int64_t& TotalInjected() {
  static int64_t total = 0;
  return total;
}

class FaultTally : public ::testing::EmptyTestEventListener {
 public:
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    std::printf("fault injection: %lld faults injected in this binary\n",
                static_cast<long long>(TotalInjected()));
  }
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_FAULT_FAULT_TEST_UTIL_H_
