#include "ipcbox/mapped_file/mapped_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/file_space.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/mapped_file/mapping.h"

namespace ipcbox {
namespace {

constexpr absl::string_view kFileSystem = "the file system";

absl::StatusOr<Fd> OpenNoFollow(const std::string& path, int flags,
                                mode_t mode) {
  const int fd = RetryOnEintr([&] {
    return ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  });
  if (fd >= 0) return Fd(fd);
  const int err = errno;
  if (err == ELOOP) {
    return absl::FailedPreconditionError(absl::StrCat(
        "open(", QuoteForMessage(path),
        "): is a symbolic link, which is not followed (O_NOFOLLOW)"));
  }
  return ErrnoError(err, "open", path);
}

// The size of the regular file open as `fd`, or why it cannot be mapped.
absl::StatusOr<uint64_t> MappableFileSize(int fd, const std::string& path) {
  absl::StatusOr<ObjectStat> stat = StatObject(fd, path);
  if (!stat.ok()) return stat.status();
  if (!stat->regular) {
    return absl::FailedPreconditionError(
        absl::StrCat(QuoteForMessage(path), " is not a regular file"));
  }
  if (stat->size == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        QuoteForMessage(path), " is empty: there is nothing to map"));
  }
  if (stat->size > SIZE_MAX) {
    return absl::ResourceExhaustedError(absl::StrCat(
        QuoteForMessage(path), " holds ", stat->size,
        " bytes, more than this process can map at once (", SIZE_MAX, ")"));
  }
  return stat->size;
}

// Opens `path` read-write as `mode` (one that may create) says; `created`
// tells whether this call made the file. Open-or-create tries an exclusive
// create first so that it knows (only a creator sets the permissions).
absl::StatusOr<Fd> OpenForCreate(const std::string& path, OpenMode mode,
                                 Permissions permissions, bool& created) {
  created = false;
  // A peer may remove the file between our two attempts; try again then.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Fd> fd =
        OpenNoFollow(path, O_RDWR | O_CREAT | O_EXCL, permissions.mode());
    if (fd.ok()) {
      created = true;
      return fd;
    }
    if (mode != OpenMode::kOpenOrCreate ||
        !absl::IsAlreadyExists(fd.status())) {
      return fd;
    }
    fd = OpenNoFollow(path, O_RDWR, 0);
    if (fd.ok() || !absl::IsNotFound(fd.status()) || attempt == 3) return fd;
  }
}

}  // namespace

absl::StatusOr<MappedFile> MappedFile::MapOpenFile(std::string path, int fd,
                                                   MemoryAccess access,
                                                   size_t length) {
  absl::StatusOr<Mapping> mapping =
      Mapping::MapShared(fd, length, access, path);
  if (!mapping.ok()) return mapping.status();
  return MappedFile(std::move(path), *std::move(mapping));
}

absl::StatusOr<MappedFile> MappedFile::OpenExisting(absl::string_view path,
                                                    MemoryAccess access) {
  std::string owned_path(path);
  absl::StatusOr<Fd> fd = OpenNoFollow(owned_path, OpenAccessFlags(access), 0);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<uint64_t> size = MappableFileSize(fd->get(), owned_path);
  if (!size.ok()) return size.status();
  return MapOpenFile(std::move(owned_path), fd->get(), access,
                     static_cast<size_t>(*size));
}

absl::StatusOr<MappedFile> MappedFile::OpenExisting(absl::string_view path,
                                                    size_t length,
                                                    MemoryAccess access) {
  std::string owned_path(path);
  if (length == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot map 0 bytes of ", QuoteForMessage(path)));
  }
  absl::StatusOr<Fd> fd = OpenNoFollow(owned_path, OpenAccessFlags(access), 0);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<uint64_t> size = MappableFileSize(fd->get(), owned_path);
  if (!size.ok()) return size.status();
  if (absl::Status fits = CheckFits(length, *size, QuoteForMessage(owned_path));
      !fits.ok()) {
    return fits;
  }
  return MapOpenFile(std::move(owned_path), fd->get(), access, length);
}

absl::StatusOr<MappedFile> MappedFile::Create(absl::string_view path,
                                              size_t size,
                                              Permissions permissions) {
  MappedFileOptions options;
  options.permissions = permissions;
  return Open(path, size, WithOpenMode(OpenMode::kCreateExclusive, options));
}

absl::StatusOr<MappedFile> MappedFile::Open(absl::string_view path, size_t size,
                                            const MappedFileOptions& options) {
  const OpenMode mode = options.open_mode;
  if (mode == OpenMode::kOpenExisting) {
    return OpenExisting(path, size, options.access);
  }
  if (options.access != MemoryAccess::kReadWrite) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot create ", QuoteForMessage(path), " (", OpenModeName(mode),
        ") read-only: its creator sizes it, which needs write access"));
  }
  const Permissions permissions = options.permissions;
  std::string owned_path(path);
  if (absl::Status s = CheckMappableSize(size, "file", owned_path); !s.ok())
    return s;
  if (RemovesExisting(mode) && ::unlink(owned_path.c_str()) != 0 &&
      errno != ENOENT) {
    return ErrnoError(errno, "unlink", owned_path);
  }
  bool created = false;
  absl::StatusOr<Fd> fd = OpenForCreate(owned_path, mode, permissions, created);
  if (!fd.ok()) return fd.status();
  // From here on, a failure must not leave a half-made file behind.
  auto fail = [&](absl::Status status) {
    if (created) ::unlink(owned_path.c_str());
    return status;
  };
  if (created) {
    absl::Status applied = ApplyPermissions(fd->get(), permissions, owned_path);
    if (!applied.ok()) return fail(applied);
  }
  absl::StatusOr<ObjectStat> stat = StatObject(fd->get(), owned_path);
  if (!stat.ok()) return fail(stat.status());
  if (!stat->regular) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat(QuoteForMessage(owned_path), " is not a regular file")));
  }
  if (stat->size < size) {
    absl::Status reserved =
        ReserveSpace(fd->get(), size, owned_path, kFileSystem);
    if (!reserved.ok()) return fail(reserved);
  }
  absl::StatusOr<MappedFile> file =
      MapOpenFile(owned_path, fd->get(), MemoryAccess::kReadWrite, size);
  if (!file.ok()) return fail(file.status());
  return file;
}

}  // namespace ipcbox
