// Helpers for the POSIX shared memory tests: unique names that are removed
// even when a test fails.

#ifndef IPCBOX_TESTS_SHM_POSIX_TEST_UTIL_H_
#define IPCBOX_TESTS_SHM_POSIX_TEST_UTIL_H_

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"

namespace ipcbox::testing {

// A fresh POSIX name, shm_unlink()ed when the guard goes out of scope,
// whoever created the object and however the test ended.
class ScopedShmName {
 public:
  explicit ScopedShmName(absl::string_view prefix = "shm_test")
      : name_(*PosixName::Create(UniqueName(prefix))) {}
  ~ScopedShmName() { ::shm_unlink(name_.c_str()); }
  ScopedShmName(const ScopedShmName&) = delete;
  ScopedShmName& operator=(const ScopedShmName&) = delete;

  const PosixName& get() const { return name_; }
  const PosixName& operator*() const { return name_; }
  const PosixName* operator->() const { return &name_; }

 private:
  PosixName name_;
};

// Whether an object `name` exists, seen without opening it for use.
inline bool ShmObjectExists(const PosixName& name) {
  const int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) return errno != ENOENT;
  ::close(fd);
  return true;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SHM_POSIX_TEST_UTIL_H_
