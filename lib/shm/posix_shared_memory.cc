#include "ipcbox/shm/posix_shared_memory.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/file_space.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/mapped_file/mapping.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::posix {
namespace {

constexpr char kFileSystem[] = "/dev/shm (tmpfs)";
// Where glibc (2.34 and later: a fixed path) keeps POSIX shared memory.
constexpr char kShmDirectory[] = "/dev/shm/";

absl::StatusOr<Fd> ShmOpen(const PosixName& name, int flags, mode_t mode) {
  // glibc's shm_open adds O_NOFOLLOW and O_CLOEXEC itself.
  const int fd =
      RetryOnEintr([&] { return ::shm_open(name.c_str(), flags, mode); });
  if (fd < 0) return ErrnoError(errno, "shm_open", name.view());
  return Fd(fd);
}

// The descriptor of the object, opened as `options.open_mode` says; `created`
// tells whether this call made the object. Open-or-create tries an exclusive
// create first so that it knows (only a creator owns the name and sets the
// permissions).
absl::StatusOr<Fd> OpenObject(const PosixName& name,
                              const SharedMemoryOptions& options,
                              bool& created) {
  created = false;
  if (!MayCreate(options.open_mode)) {
    return ShmOpen(name, OpenAccessFlags(options.access), 0);
  }
  // A peer may remove the object between our two attempts; try again then.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Fd> fd =
        ShmOpen(name, O_RDWR | O_CREAT | O_EXCL, options.permissions.mode());
    if (fd.ok()) {
      created = true;
      return fd;
    }
    if (options.open_mode != OpenMode::kOpenOrCreate ||
        !absl::IsAlreadyExists(fd.status())) {
      return fd;
    }
    fd = ShmOpen(name, O_RDWR, 0);
    if (fd.ok() || !absl::IsNotFound(fd.status()) || attempt == 3) return fd;
  }
}

absl::Status CheckOptions(const PosixName& name, size_t size,
                          const SharedMemoryOptions& options) {
  if (absl::Status s =
          CheckMappableSize(size, "shared memory object", name.view());
      !s.ok()) {
    return s;
  }
  if (MayCreate(options.open_mode) &&
      options.access != MemoryAccess::kReadWrite) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shared memory object ", QuoteForMessage(name.view()), ": mode ",
        OpenModeName(options.open_mode),
        " may create the object, which needs read-write access to size it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SharedMemory> SharedMemory::Open(
    const PosixName& name, size_t size, const SharedMemoryOptions& options) {
  if (absl::Status s = CheckOptions(name, size, options); !s.ok()) return s;
  if (RemovesExisting(options.open_mode) && ::shm_unlink(name.c_str()) != 0 &&
      errno != ENOENT) {
    return ErrnoError(errno, "shm_unlink", name.view());
  }
  bool created = false;
  absl::StatusOr<Fd> fd = OpenObject(name, options, created);
  if (!fd.ok()) return fd.status();
  // From here on, a failure must not leave an object this call made.
  auto fail = [&](absl::Status status) {
    if (created) ::shm_unlink(name.c_str());
    return status;
  };
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) {
    return fail(ErrnoError(errno, "fstat", name.view()));
  }
  // shm_open() applied the mode through the umask; the fstat() we need
  // anyway shows whether that narrowed it, and fchmod() runs only then.
  if (created && (st.st_mode & 07777) != options.permissions.mode()) {
    absl::Status applied =
        ApplyPermissions(fd->get(), options.permissions, name.view());
    if (!applied.ok()) return fail(applied);
  }
  if (!created) {
    absl::Status adoptable = CheckOwnership(
        "shared memory object", name.view(), st.st_uid, st.st_mode,
        MayCreate(options.open_mode)
            ? std::optional<Permissions>(options.permissions)
            : std::nullopt,
        options.ownership);
    if (!adoptable.ok()) return adoptable;
  }
  const uint64_t actual = static_cast<uint64_t>(st.st_size);
  if (actual < size) {
    if (!MayCreate(options.open_mode)) {
      return CheckFits(
          size, actual,
          absl::StrCat("shared memory object ", QuoteForMessage(name.view())));
    }
    absl::Status reserved =
        ReserveSpace(fd->get(), size, name.view(), kFileSystem);
    if (!reserved.ok()) return fail(reserved);
  }
  absl::StatusOr<Mapping> mapping =
      Mapping::MapShared(fd->get(), size, options.access, name.view());
  if (!mapping.ok()) return fail(mapping.status());
  return SharedMemory(name, *std::move(mapping), created, st.st_dev, st.st_ino);
}

absl::StatusOr<SharedMemory> SharedMemory::Create(const PosixName& name,
                                                  size_t size,
                                                  Permissions permissions) {
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kCreateExclusive;
  options.permissions = permissions;
  return Open(name, size, options);
}

absl::StatusOr<SharedMemory> SharedMemory::OpenExisting(const PosixName& name,
                                                        size_t size,
                                                        MemoryAccess access) {
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  options.access = access;
  return Open(name, size, options);
}

absl::Status SharedMemory::Remove(const PosixName& name) {
  if (::shm_unlink(name.c_str()) != 0) {
    return ErrnoError(errno, "shm_unlink", name.view());
  }
  return absl::OkStatus();
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(other.name_),
      mapping_(std::move(other.mapping_)),
      owner_(std::exchange(other.owner_, false)),
      dev_(other.dev_),
      ino_(other.ino_) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    Close().IgnoreError();
    name_ = other.name_;
    mapping_ = std::move(other.mapping_);
    owner_ = std::exchange(other.owner_, false);
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

SharedMemory::~SharedMemory() { Close().IgnoreError(); }

absl::Status SharedMemory::Remove() {
  owner_ = false;
  // Check that the name still refers to our object: one stat() of the file
  // that glibc's shm_open() opens (/dev/shm/<name>), without opening it.
  // Where we may not look (EACCES), remove it anyway: that is what was asked.
  char path[sizeof(kShmDirectory) + NAME_MAX + 1];
  const absl::string_view name = name_.view();  // "/name", checked length
  if (name.size() <= NAME_MAX + 1) {
    std::memcpy(path, kShmDirectory, sizeof(kShmDirectory) - 1);
    std::memcpy(path + sizeof(kShmDirectory) - 1, name.data() + 1,
                name.size() - 1);
    path[sizeof(kShmDirectory) - 1 + name.size() - 1] = '\0';
    struct stat st;
    if (::fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (st.st_dev != dev_ || st.st_ino != ino_) {
        return absl::FailedPreconditionError(absl::StrCat(
            "shared memory object ", QuoteForMessage(name_.view()),
            " now names another object than the one mapped here; not "
            "removed"));
      }
    } else if (errno != EACCES) {
      return ErrnoError(errno, "stat", name_.view());
    }
  }
  return Remove(name_);
}

absl::StatusOr<Fd> SharedMemory::OpenDescriptor() const {
  absl::StatusOr<Fd> fd = ShmOpen(name_, writable() ? O_RDWR : O_RDONLY, 0);
  if (!fd.ok()) return fd.status();
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) {
    return ErrnoError(errno, "fstat", name_.view());
  }
  if (st.st_dev != dev_ || st.st_ino != ino_) {
    return absl::FailedPreconditionError(
        absl::StrCat("shared memory object ", QuoteForMessage(name_.view()),
                     " now names another object than the one mapped here"));
  }
  return fd;
}

absl::Status SharedMemory::Close() {
  absl::Status removed = owner_ ? Remove() : absl::OkStatus();
  absl::Status unmapped = mapping_.Unmap();
  return removed.ok() ? unmapped : removed;
}

}  // namespace ipcbox::posix
