// Helpers for the System V shared memory tests: keys nobody else uses, whose
// segments are removed even when a test fails, and files for ftok().

#ifndef IPCBOX_TESTS_SHM_SYSV_TEST_UTIL_H_
#define IPCBOX_TESTS_SHM_SYSV_TEST_UTIL_H_

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/support/scoped_removal.h"

namespace ipcbox::testing {

// A key made from a unique name (so parallel tests do not meet), whose
// segment is removed when the guard goes out of scope.
class ScopedShmKey {
 public:
  explicit ScopedShmKey(absl::string_view prefix = "sysv_shm_test")
      : key_(sysv::IpcKey::FromName(*PosixName::Create(UniqueName(prefix)))) {}
  explicit ScopedShmKey(sysv::IpcKey key) : key_(key) {}
  ~ScopedShmKey() { sysv::SharedMemory::Remove(key_).IgnoreError(); }
  ScopedShmKey(const ScopedShmKey&) = delete;
  ScopedShmKey& operator=(const ScopedShmKey&) = delete;

  sysv::IpcKey get() const { return key_; }
  sysv::IpcKey operator*() const { return key_; }

 private:
  sysv::IpcKey key_;
};

// An empty file at a unique temporary path, deleted with the guard.
class ScopedTempFile : public ScopedRemoval<::unlink> {
 public:
  explicit ScopedTempFile(absl::string_view prefix = "ftok")
      : ScopedRemoval(UniqueTempPath(prefix)) {
    const int fd = ::open(path().c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd >= 0) ::close(fd);
  }

  const std::string& path() const { return name(); }
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SHM_SYSV_TEST_UTIL_H_
