#include "ipcbox/file_lock/lock_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/internal/lock_call_error.h"

namespace ipcbox {
namespace {

int AccessFlags(LockFileAccess access) {
  switch (access) {
    case LockFileAccess::kReadOnly:
      return O_RDONLY;
    case LockFileAccess::kWriteOnly:
      return O_WRONLY;
    case LockFileAccess::kReadWrite:
      return O_RDWR;
  }
  return O_RDWR;
}

// The outcome of one open() attempt: the descriptor, or errno.
struct OpenAttempt {
  int fd;
  int err;
};

OpenAttempt OpenOnce(const std::string& path, int flags, mode_t mode) {
  const int fd =
      RetryOnEintr([&] { return ::open(path.c_str(), flags, mode); });
  return OpenAttempt{fd, fd < 0 ? errno : 0};
}

absl::Status OpenError(int err, absl::string_view type_name,
                       const std::string& path) {
  if (err == ELOOP) {
    // O_NOFOLLOW reports a symbolic link at the path as ELOOP.
    return absl::FailedPreconditionError(
        absl::StrCat(type_name, "::Open(", QuoteForMessage(path),
                     "): is a symbolic link, which a lock file may not be"));
  }
  return ErrnoError(err, absl::StrCat(type_name, "::Open: open"), path);
}

// Opens `path`, creating it if `mode` says so; `*created` tells whether this
// call created it. kOpenOrCreate tries to create first, so that it knows.
absl::StatusOr<Fd> OpenPath(const std::string& path, OpenMode mode,
                            int base_flags, mode_t perms,
                            absl::string_view type_name, bool* created) {
  *created = false;
  if (RemovesExisting(mode) && ::unlink(path.c_str()) != 0) {
    const int err = errno;
    if (err != ENOENT) {
      return ErrnoError(err, absl::StrCat(type_name, "::Open: unlink"), path);
    }
  }
  if (mode != OpenMode::kOpenOrCreate) {
    const OpenAttempt a =
        OpenOnce(path, base_flags | OpenModeFlags(mode), perms);
    if (a.fd < 0) return OpenError(a.err, type_name, path);
    *created = MayCreate(mode);
    return Fd(a.fd);
  }
  // A peer may remove the file between our two attempts, or create it; a few
  // rounds settle it unless someone is doing that on purpose.
  constexpr int kAttempts = 8;
  int err = 0;
  for (int i = 0; i < kAttempts; ++i) {
    OpenAttempt a = OpenOnce(path, base_flags | O_CREAT | O_EXCL, perms);
    if (a.fd >= 0) {
      *created = true;
      return Fd(a.fd);
    }
    if (a.err != EEXIST) return OpenError(a.err, type_name, path);
    a = OpenOnce(path, base_flags, 0);
    if (a.fd >= 0) return Fd(a.fd);
    if (a.err != ENOENT) return OpenError(a.err, type_name, path);
    err = a.err;
  }
  return OpenError(err, type_name, path);
}

absl::Status CheckRegularFile(int fd, absl::string_view type_name,
                              const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat(type_name, "::Open: fstat"), path);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        type_name, "::Open(", QuoteForMessage(path), "): not a regular file"));
  }
  return absl::OkStatus();
}

const char* AccessModeName(int access_mode) {
  switch (access_mode) {
    case O_RDONLY:
      return "read-only";
    case O_WRONLY:
      return "write-only";
    default:
      return "read-write";
  }
}

}  // namespace

absl::StatusOr<LockFile> LockFile::Open(absl::string_view path,
                                        const LockFileOptions& options,
                                        absl::string_view type_name) {
  if (path.empty() || path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name, "::Open(", QuoteForMessage(path),
                     "): a path must be non-empty and hold no NUL byte"));
  }
  const std::string path_string(path);
  // O_NONBLOCK so that a FIFO squatting at the path cannot make open() wait
  // for a writer; it is cleared again below.
  const int base_flags = AccessFlags(options.access) | O_CLOEXEC | O_NOFOLLOW |
                         O_NOCTTY | O_NONBLOCK;
  bool created = false;
  absl::StatusOr<Fd> fd =
      OpenPath(path_string, options.open_mode, base_flags,
               options.permissions.mode(), type_name, &created);
  if (!fd.ok()) return fd.status();

  absl::Status ready = CheckRegularFile(fd->get(), type_name, path_string);
  if (ready.ok()) {
    const int flags = ::fcntl(fd->get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd->get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
      const int err = errno;
      ready = ErrnoError(err, absl::StrCat(type_name, "::Open: fcntl"),
                         path_string);
    }
  }
  if (ready.ok() && created) {
    ready = ApplyPermissions(fd->get(), options.permissions, path_string);
  }
  if (!ready.ok()) {
    if (created) ::unlink(path_string.c_str());
    return ready;
  }
  return LockFile(*std::move(fd), created);
}

absl::StatusOr<LockFile> LockFile::Adopt(Fd fd, absl::string_view type_name) {
  if (!fd.valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name, "::Adopt: no descriptor (fd ", fd.get(), ")"));
  }
  if (::fcntl(fd.get(), F_GETFD) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        type_name, "::Adopt: fd ", fd.get(), " is not an open descriptor"));
  }
  return LockFile(std::move(fd), /*created=*/false);
}

namespace file_lock_internal {

absl::Status LockCallError(int err, absl::string_view call, int fd,
                           absl::string_view type_name, bool needs_read,
                           bool needs_write) {
  if (err == EBADF) {
    if (fd < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(type_name, ": ", call, " on a lock that is not open"));
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) {
      const int access_mode = flags & O_ACCMODE;
      const bool readable = access_mode != O_WRONLY;
      const bool writable = access_mode != O_RDONLY;
      if ((needs_read && !readable) || (needs_write && !writable)) {
        return absl::FailedPreconditionError(
            absl::StrCat(type_name, ": ", call, " on fd ", fd, ": a ",
                         needs_write ? "write (exclusive)" : "read (shared)",
                         " lock needs the file open for ",
                         needs_write ? "writing" : "reading",
                         ", and it is open ", AccessModeName(access_mode)));
      }
    }
  }
  return ErrnoErrorWithMessage(
      err, absl::StrCat(type_name, ": ", call, " on fd ", fd));
}

}  // namespace file_lock_internal
}  // namespace ipcbox
