#include "ipcbox/semaphore/posix_named_semaphore.h"

#include <fcntl.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/semaphore/internal/not_open_error.h"
#include "ipcbox/semaphore/internal/posix_sem_ops.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::posix {
namespace {

using semaphore_internal::CheckPosixInitialValue;
using semaphore_internal::NotOpenError;

// kOpenOrCreate alternates between "create exclusively" and "open existing";
// each failure means another process created or removed the name in
// between. Give up after this many rounds rather than loop forever against
// a peer that keeps doing so.
constexpr int kOpenOrCreateRounds = 100;

// The file behind a named semaphore. Its directory is found through the
// mapping sem_open() made (/proc/self/maps names the file, with its device
// and inode) rather than assumed: glibc and musl use /dev/shm today, but
// glibc before 2.34 used wherever tmpfs was mounted. The mapping may show
// the temporary name sem_open() created the file under ("sem.XXXXXX
// (deleted)", then linked to the real name), so only its directory is
// used; the file is "sem.<name>" in it, as both C libraries name it, and is
// checked against the mapping's device and inode before it is trusted.
struct BackingFile {
  std::string path;
  unsigned dev_major = 0;
  unsigned dev_minor = 0;
  unsigned long long inode = 0;
};

absl::StatusOr<BackingFile> FindBackingFile(const sem_t* sem,
                                            absl::string_view name) {
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) {
    // Without /proc, neither the directory nor the file can be verified.
    return ErrnoError(errno, "fopen(/proc/self/maps) to find the file of",
                      name);
  }
  const auto address = reinterpret_cast<uintptr_t>(sem);
  char line[4096 + 128];
  while (std::fgets(line, sizeof(line), maps) != nullptr) {
    unsigned long long start = 0, end = 0, inode = 0;
    unsigned major = 0, minor = 0;
    int path_at = 0;
    if (std::sscanf(line, "%llx-%llx %*s %*s %x:%x %llu %n", &start, &end,
                    &major, &minor, &inode, &path_at) < 5 ||
        address < start || address >= end) {
      continue;
    }
    std::fclose(maps);
    absl::string_view mapped(line + path_at);
    const size_t slash = mapped.rfind('/');
    if (slash == absl::string_view::npos || mapped[0] != '/') {
      return absl::InternalError(
          absl::StrCat("named semaphore ", QuoteForMessage(name),
                       ": its mapping is not backed by a file"));
    }
    std::string path =
        absl::StrCat(mapped.substr(0, slash), "/sem.", name.substr(1));
    return BackingFile{std::move(path), major, minor, inode};
  }
  std::fclose(maps);
  return absl::InternalError(
      absl::StrCat("named semaphore ", QuoteForMessage(name),
                   ": no file-backed mapping holds it in /proc/self/maps"));
}

// The backing file, opened without following a symlink and checked to be
// the very file sem_open() mapped.
absl::StatusOr<Fd> OpenBackingFile(const sem_t* sem, absl::string_view name,
                                   struct stat& st) {
  absl::StatusOr<BackingFile> file = FindBackingFile(sem, name);
  if (!file.ok()) return file.status();
  Fd fd(RetryOnEintr([&] {
    return ::open(file->path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }));
  if (!fd.valid()) return ErrnoError(errno, "open", file->path);
  if (::fstat(fd.get(), &st) != 0)
    return ErrnoError(errno, "fstat", file->path);
  if (major(st.st_dev) != file->dev_major ||
      minor(st.st_dev) != file->dev_minor || st.st_ino != file->inode) {
    return absl::FailedPreconditionError(absl::StrCat(
        "named semaphore ", QuoteForMessage(name), ": ", file->path,
        " is no longer the file that sem_open() mapped"));
  }
  return fd;
}

// sem_open offers no descriptor to fchmod, so open the backing file.
absl::Status ApplyPermissionsToFile(const sem_t* sem, const PosixName& name,
                                    Permissions perms) {
  struct stat st;
  absl::StatusOr<Fd> fd = OpenBackingFile(sem, name.view(), st);
  if (!fd.ok()) return fd.status();
  return ApplyPermissions(fd->get(), perms, name.view());
}

struct Opened {
  sem_t* sem;
  bool created;
};

// glibc's sem_open(O_CREAT) writes the semaphore into a named temporary,
// "sem.XXXXXX", then links it to its name: a process killed in between
// leaves that file behind, named by nothing ipcbox knows. So the file is
// built here without a name (O_TMPFILE), with its final mode and an
// initialised sem_t, and gets its name complete with linkat(); killed
// before that, the kernel frees it. sem_open(name, 0) then maps it, because
// sem_close() accepts only what sem_open() mapped, and the mapping must be
// the inode built here, which also checks the directory assumed below.
// Where that does not hold (no O_TMPFILE, no /proc, another directory), the
// C library creates it instead. musl and glibc since 2.34 use this
// directory and "sem.<name>" always.
constexpr char kSemaphoreDirectory[] = "/dev/shm";

// Not an error of the caller's: the way round the C library did not work
// here, so the C library creates the semaphore after all.
struct Unsupported {};

absl::StatusOr<Opened> CreateThroughLibrary(const PosixName& name,
                                            const SemaphoreOptions& options) {
  sem_t* sem = ::sem_open(name.c_str(), O_CREAT | O_EXCL,
                          options.permissions.mode(), options.initial_value);
  if (sem == SEM_FAILED) return ErrnoError(errno, "sem_open", name.view());
  if (absl::Status s = ApplyPermissionsToFile(sem, name, options.permissions);
      !s.ok()) {
    ::sem_close(sem);
    ::sem_unlink(name.c_str());
    return s;
  }
  return Opened{sem, true};
}

// Removes `path` only while it is still the inode `ours`: after a failed
// creation the name may already be someone else's.
void UnlinkIfOurs(const std::string& path, const struct stat& ours) {
  struct stat now;
  if (::lstat(path.c_str(), &now) == 0 && now.st_dev == ours.st_dev &&
      now.st_ino == ours.st_ino) {
    ::unlink(path.c_str());
  }
}

std::variant<absl::StatusOr<Opened>, Unsupported> CreateWithoutTemporary(
    const PosixName& name, const SemaphoreOptions& options) {
  Fd fd(RetryOnEintr([&] {
    return ::open(kSemaphoreDirectory, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  }));
  if (!fd.valid()) {
    if (errno == EISDIR || errno == EOPNOTSUPP || errno == ENOENT ||
        errno == EINVAL) {
      return Unsupported{};
    }
    return absl::StatusOr<Opened>(
        ErrnoError(errno, "open(O_TMPFILE) for", name.view()));
  }
  if (absl::Status s =
          ApplyPermissions(fd.get(), options.permissions, name.view());
      !s.ok()) {
    return absl::StatusOr<Opened>(s);
  }
  // The bytes sem_open() itself writes: a process-shared sem_t, zero
  // elsewhere. It holds no pointer, so it is valid at any address.
  sem_t image;
  std::memset(&image, 0, sizeof(image));
  if (::sem_init(&image, /*pshared=*/1, options.initial_value) != 0) {
    return absl::StatusOr<Opened>(ErrnoError(errno, "sem_init", name.view()));
  }
  const ssize_t written = RetryOnEintr(
      [&] { return ::pwrite(fd.get(), &image, sizeof(image), 0); });
  if (written != static_cast<ssize_t>(sizeof(image))) {
    return absl::StatusOr<Opened>(
        written < 0
            ? ErrnoError(errno, "pwrite", name.view())
            : absl::ResourceExhaustedError(absl::StrCat(
                  "pwrite of named semaphore ", QuoteForMessage(name.view()),
                  " wrote ", written, " of ", sizeof(image), " bytes")));
  }
  struct stat built;
  if (::fstat(fd.get(), &built) != 0) {
    return absl::StatusOr<Opened>(ErrnoError(errno, "fstat", name.view()));
  }
  const std::string path =
      absl::StrCat(kSemaphoreDirectory, "/sem.", name.view().substr(1));
  const std::string self = absl::StrCat("/proc/self/fd/", fd.get());
  if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(),
               AT_SYMLINK_FOLLOW) != 0) {
    if (errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0) {
      return Unsupported{};
    }
    return absl::StatusOr<Opened>(ErrnoError(errno, "linkat", path));
  }
  sem_t* sem = ::sem_open(name.c_str(), 0);
  if (sem == SEM_FAILED) {
    const int err = errno;
    UnlinkIfOurs(path, built);
    // The C library looks elsewhere for its semaphores.
    if (err == ENOENT) return Unsupported{};
    return absl::StatusOr<Opened>(ErrnoError(err, "sem_open", name.view()));
  }
  absl::StatusOr<BackingFile> mapped = FindBackingFile(sem, name.view());
  if (!mapped.ok() || mapped->inode != built.st_ino ||
      mapped->dev_major != major(built.st_dev) ||
      mapped->dev_minor != minor(built.st_dev)) {
    ::sem_close(sem);
    UnlinkIfOurs(path, built);
    return absl::StatusOr<Opened>(absl::AbortedError(
        absl::StrCat("named semaphore ", QuoteForMessage(name.view()),
                     " was replaced while it was being created")));
  }
  return absl::StatusOr<Opened>(Opened{sem, true});
}

absl::StatusOr<Opened> CreateExclusive(const PosixName& name,
                                       const SemaphoreOptions& options) {
  auto created = CreateWithoutTemporary(name, options);
  if (auto* result = std::get_if<absl::StatusOr<Opened>>(&created)) {
    return std::move(*result);
  }
  return CreateThroughLibrary(name, options);
}

// `widest`: the mode the caller would have created it with, if it may
// create; see CheckOwnership().
absl::StatusOr<Opened> OpenExistingSemaphore(
    const PosixName& name, const SemaphoreOptions& options,
    std::optional<Permissions> widest) {
  sem_t* sem = ::sem_open(name.c_str(), 0);
  if (sem == SEM_FAILED) return ErrnoError(errno, "sem_open", name.view());
  if (options.ownership.check) {
    struct stat st;
    absl::StatusOr<Fd> file = OpenBackingFile(sem, name.view(), st);
    absl::Status adoptable =
        file.ok() ? CheckOwnership("named semaphore", name.view(), st.st_uid,
                                   st.st_mode, widest, options.ownership)
                  : file.status();
    if (!adoptable.ok()) {
      ::sem_close(sem);
      return adoptable;
    }
  }
  return Opened{sem, false};
}

absl::StatusOr<Opened> OpenOrCreate(const PosixName& name,
                                    const SemaphoreOptions& options) {
  // Not sem_open(O_CREAT) alone: it does not say whether it created the
  // semaphore, and only the creator may remove it.
  for (int round = 0; round < kOpenOrCreateRounds; ++round) {
    absl::StatusOr<Opened> created = CreateExclusive(name, options);
    if (!absl::IsAlreadyExists(created.status())) return created;
    absl::StatusOr<Opened> opened =
        OpenExistingSemaphore(name, options, options.permissions);
    if (!absl::IsNotFound(opened.status())) return opened;
  }
  return absl::AbortedError(
      absl::StrCat("sem_open(", QuoteForMessage(name.view()),
                   "): the name kept appearing and disappearing while "
                   "opening or creating it"));
}

absl::Status RemoveStale(const PosixName& name) {
  if (::sem_unlink(name.c_str()) == 0 || errno == ENOENT) {
    return absl::OkStatus();
  }
  return ErrnoError(errno, "sem_unlink", name.view());
}

}  // namespace

absl::StatusOr<NamedSemaphore> NamedSemaphore::Open(
    absl::string_view name, const SemaphoreOptions& options) {
  absl::StatusOr<PosixName> valid =
      PosixName::Create(name, kMaxSemaphoreNameLength);
  if (!valid.ok()) return valid.status();
  return Open(*valid, options);
}

absl::StatusOr<NamedSemaphore> NamedSemaphore::Open(
    const PosixName& name, const SemaphoreOptions& options) {
  const OpenMode mode = options.open_mode;
  // A PosixName checked against NAME_MAX may still be too long here.
  if (name.size() - 1 > kMaxSemaphoreNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "semaphore name ", QuoteForMessage(name.view()), " has ",
        name.size() - 1, " bytes after the '/', more than the limit of ",
        kMaxSemaphoreNameLength, " (glibc stores it as /dev/shm/sem.<name>)"));
  }
  if (MayCreate(mode)) {
    if (absl::Status s =
            CheckPosixInitialValue(options.initial_value, name.view());
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<Opened> opened;
  switch (mode) {
    case OpenMode::kPurgeAndCreate:
      if (absl::Status s = RemoveStale(name); !s.ok()) return s;
      opened = CreateExclusive(name, options);
      break;
    case OpenMode::kCreateExclusive:
      opened = CreateExclusive(name, options);
      break;
    case OpenMode::kOpenOrCreate:
      opened = OpenOrCreate(name, options);
      break;
    case OpenMode::kOpenExisting:
      opened = OpenExistingSemaphore(name, options, std::nullopt);
      break;
  }
  if (!opened.ok()) return opened.status();
  return NamedSemaphore(opened->sem, name, opened->created);
}

NamedSemaphore::NamedSemaphore(sem_t* sem, const PosixName& name, bool created)
    : sem_(sem),
      name_(name),
      created_(created),
      owns_name_(created),
      creator_pid_(created ? ::getpid() : -1) {}

NamedSemaphore::NamedSemaphore(NamedSemaphore&& other) noexcept
    : sem_(std::exchange(other.sem_, nullptr)),
      name_(other.name_),
      created_(std::exchange(other.created_, false)),
      owns_name_(std::exchange(other.owns_name_, false)),
      creator_pid_(std::exchange(other.creator_pid_, -1)) {}

NamedSemaphore& NamedSemaphore::operator=(NamedSemaphore&& other) noexcept {
  if (this != &other) {
    Close();
    sem_ = std::exchange(other.sem_, nullptr);
    name_ = other.name_;
    created_ = std::exchange(other.created_, false);
    owns_name_ = std::exchange(other.owns_name_, false);
    creator_pid_ = std::exchange(other.creator_pid_, -1);
  }
  return *this;
}

NamedSemaphore::~NamedSemaphore() { Close(); }

void NamedSemaphore::Close() {
  if (sem_ == nullptr) return;
  const int saved_errno = errno;
  ::sem_close(sem_);
  if (owns_name_ && creator_pid_ == ::getpid()) ::sem_unlink(name_.c_str());
  errno = saved_errno;
  sem_ = nullptr;
  owns_name_ = false;
}

absl::Status NamedSemaphore::Post() {
  if (sem_ == nullptr) return NotOpenError("sem_post");
  return semaphore_internal::PostSem(sem_, name_.view());
}

absl::Status NamedSemaphore::Wait() {
  if (sem_ == nullptr) return NotOpenError("sem_wait");
  return semaphore_internal::WaitSem(sem_, name_.view());
}

absl::Status NamedSemaphore::TryWait() {
  if (sem_ == nullptr) return NotOpenError("sem_trywait");
  return semaphore_internal::TryWaitSem(sem_, name_.view());
}

absl::Status NamedSemaphore::WaitUntil(Deadline deadline) {
  if (sem_ == nullptr) return NotOpenError("sem_clockwait");
  return semaphore_internal::WaitSemUntil(sem_, deadline, name_.view());
}

absl::StatusOr<int> NamedSemaphore::Value() const {
  if (sem_ == nullptr) return NotOpenError("sem_getvalue");
  return semaphore_internal::SemValue(sem_, name_.view());
}

absl::Status NamedSemaphore::Remove() {
  if (sem_ == nullptr) return NotOpenError("sem_unlink");
  owns_name_ = false;
  if (::sem_unlink(name_.c_str()) != 0) {
    return ErrnoError(errno, "sem_unlink", name_.view());
  }
  return absl::OkStatus();
}

}  // namespace ipcbox::posix
