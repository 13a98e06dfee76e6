// Helpers shared by the conformance and multi-process suites, which run
// every backend of SharedMemory through the same tests.

#ifndef IPCBOX_TESTS_SHM_SHM_TEST_UTIL_H_
#define IPCBOX_TESTS_SHM_SHM_TEST_UTIL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "tests/support/pattern.h"

namespace ipcbox::testing {

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
