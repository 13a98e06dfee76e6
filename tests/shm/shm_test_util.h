// Helpers shared by the typed suites (conformance, multi-process,
// allocation), which run every backend of SharedMemory through the same
// tests: the backends and their names, and a guard for a fresh name.

#ifndef IPCBOX_TESTS_SHM_SHM_TEST_UTIL_H_
#define IPCBOX_TESTS_SHM_SHM_TEST_UTIL_H_

#include <cstddef>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/support/pattern.h"

namespace ipcbox::testing {

// The backends, for typed suites, and their names in test output:
//   TYPED_TEST_SUITE(MyTest, ShmBackends, ShmBackendNames);
using ShmBackends = ::testing::Types<posix::SharedMemory, sysv::SharedMemory>;

struct ShmBackendNames {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, posix::SharedMemory> ? "Posix" : "SystemV";
  }
};

// A fresh name whose object, of backend `Shm`, is removed when the guard goes
// out of scope, whoever created it and however the test ended.
template <typename Shm>
class ScopedName {
 public:
  explicit ScopedName(absl::string_view prefix = "shm_conformance")
      : name_(*PosixName::Create(UniqueName(prefix))) {}
  ~ScopedName() { Shm::Remove(name_).IgnoreError(); }
  ScopedName(const ScopedName&) = delete;
  ScopedName& operator=(const ScopedName&) = delete;

  const PosixName& operator*() const { return name_; }
  const PosixName* operator->() const { return &name_; }

 private:
  PosixName name_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SHM_SHM_TEST_UTIL_H_
