#include "ipcbox/shared_file/internal/current_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox::shared_file_internal {

absl::StatusOr<bool> IsCurrent(const FcntlLock& lock, const std::string& path) {
  struct stat named;
  struct stat held;
  if (::lstat(path.c_str(), &named) != 0)
    return ErrnoError(errno, "lstat", path);
  if (!S_ISREG(named.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is no longer a regular file"));
  }
  if (::fstat(lock.fd(), &held) != 0) return ErrnoError(errno, "fstat", path);
  return named.st_dev == held.st_dev && named.st_ino == held.st_ino;
}

absl::Status Reopen(FcntlLock& lock, const std::string& path, bool writable) {
  const int flags =
      (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  Fd fd(RetryOnEintr([&] { return ::open(path.c_str(), flags); }));
  if (!fd.valid()) return ErrnoError(errno, "open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, "fstat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is no longer a regular file"));
  }
  // O_NONBLOCK only guarded the open against a FIFO swapped in.
  if (::fcntl(fd.get(), F_SETFL, 0) != 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", path);
  }
  absl::StatusOr<FcntlLock> reopened = FcntlLock::Adopt(std::move(fd));
  if (!reopened.ok()) return reopened.status();
  lock = *std::move(reopened);
  return absl::OkStatus();
}

void (*g_write_step_for_test)(WriteStep step) = nullptr;

std::string StagingPath(const std::string& path) {
  return absl::StrCat(path, ".ipcbox-new");
}

}  // namespace ipcbox::shared_file_internal
