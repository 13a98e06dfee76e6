#include "examples/common/read_small_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox::examples {

absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          size_t max_bytes) {
  Fd fd(
      RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!fd.valid()) return ErrnoError(errno, "open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, "fstat", path);
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is a directory, not a file"));
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n =
        RetryOnEintr([&] { return ::read(fd.get(), buf, sizeof(buf)); });
    if (n < 0) return ErrnoError(errno, "read", path);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is longer than ", max_bytes, " bytes (the most accepted)"));
    }
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace ipcbox::examples
