// Helpers shared by the lib/fifo tests.

#ifndef IPCBOX_TESTS_FIFO_FIFO_TEST_UTIL_H_
#define IPCBOX_TESTS_FIFO_FIFO_TEST_UTIL_H_

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "ipcbox/core/unique_name.h"
#include "tests/support/pattern.h"
#include "tests/support/scoped_umask.h"
#include "tests/support/stopwatch.h"

namespace ipcbox::testing {

// A unique path under $TEST_TMPDIR (or /tmp) whose file, whatever it is by
// then (FIFO, regular file, symbolic link, empty directory), is removed when
// the scope ends, so a failing test leaves nothing behind. The `Fifo`
// objects under test remove their own FIFOs; this is the safety net and the
// guard for the files that tests plant at a path.
class ScopedPath {
 public:
  explicit ScopedPath(absl::string_view prefix)
      : path_(UniqueTempPath(prefix)) {}
  ~ScopedPath() {
    if (::unlink(path_.c_str()) != 0) ::rmdir(path_.c_str());
  }
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

  const std::string& path() const { return path_; }
  const char* c_str() const { return path_.c_str(); }

 private:
  std::string path_;
};

// True if nothing at all (not even a dangling symbolic link) is at `path`.
inline bool NothingAt(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
}

// The file type and mode bits of what is at `path` (lstat), or 0.
inline mode_t LstatMode(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode;
}

// Waits, polling for at most a minute, until what is at `path` has `mode`
// (type and bits). Needed where another process creates a FIFO: between
// its mkfifo() and its chmod(), the FIFO has the umask's narrower mode.
inline bool AwaitMode(const std::string& path, mode_t mode) {
  for (int i = 0; i < 6000; ++i) {
    if (LstatMode(path) == mode) return true;
    ::usleep(10000);
  }
  return false;
}

inline void WriteFile(const std::string& path, absl::string_view contents) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_FIFO_FIFO_TEST_UTIL_H_
