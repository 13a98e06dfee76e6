#include "ipcbox/semaphore/posix_named_semaphore.h"

#include <fcntl.h>
#include <semaphore.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
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

// Where glibc (and musl) keep a named semaphore.
std::string BackingFile(const PosixName& name) {
  return absl::StrCat("/dev/shm/sem.", name.view().substr(1));
}

// sem_open offers no descriptor to fchmod, so open the backing file. The
// name was created by this process a moment ago and /dev/shm is sticky, so
// only this user (or root) could have swapped the file in between.
absl::Status ApplyPermissionsByName(const PosixName& name, Permissions perms) {
  const std::string path = BackingFile(name);
  Fd fd(RetryOnEintr([&] {
    return ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }));
  if (!fd.valid()) return ErrnoError(errno, "open", path);
  return ApplyPermissions(fd.get(), perms, path);
}

struct Opened {
  sem_t* sem;
  bool created;
};

absl::StatusOr<Opened> CreateExclusive(const PosixName& name,
                                       const SemaphoreOptions& options) {
  sem_t* sem = ::sem_open(name.c_str(), O_CREAT | O_EXCL,
                          options.permissions.mode(), options.initial_value);
  if (sem == SEM_FAILED) return ErrnoError(errno, "sem_open", name.view());
  if (absl::Status s = ApplyPermissionsByName(name, options.permissions);
      !s.ok()) {
    ::sem_close(sem);
    ::sem_unlink(name.c_str());
    return s;
  }
  return Opened{sem, true};
}

absl::StatusOr<Opened> OpenExisting(const PosixName& name) {
  sem_t* sem = ::sem_open(name.c_str(), 0);
  if (sem == SEM_FAILED) return ErrnoError(errno, "sem_open", name.view());
  return Opened{sem, false};
}

absl::StatusOr<Opened> OpenOrCreate(const PosixName& name,
                                    const SemaphoreOptions& options) {
  // Not sem_open(O_CREAT) alone: it does not say whether it created the
  // semaphore, and only the creator may remove it.
  for (int round = 0; round < kOpenOrCreateRounds; ++round) {
    absl::StatusOr<Opened> created = CreateExclusive(name, options);
    if (!absl::IsAlreadyExists(created.status())) return created;
    absl::StatusOr<Opened> opened = OpenExisting(name);
    if (!absl::IsNotFound(opened.status())) return opened;
  }
  return absl::UnavailableError(
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
    absl::string_view name, OpenMode mode, const SemaphoreOptions& options) {
  absl::StatusOr<PosixName> valid =
      PosixName::Create(name, kMaxSemaphoreNameLength);
  if (!valid.ok()) return valid.status();
  return Open(*valid, mode, options);
}

absl::StatusOr<NamedSemaphore> NamedSemaphore::Open(
    const PosixName& name, OpenMode mode, const SemaphoreOptions& options) {
  // A PosixName checked against NAME_MAX may still be too long here.
  if (name.size() - 1 > kMaxSemaphoreNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "semaphore name ", QuoteForMessage(name.view()), " has ",
        name.size() - 1, " bytes after the '/', more than the limit of ",
        kMaxSemaphoreNameLength, " (glibc stores it as /dev/shm/sem.<name>)"));
  }
  if (MayCreate(mode)) {
    if (absl::Status s = CheckPosixInitialValue(options.initial_value,
                                                name.view());
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
      opened = OpenExisting(name);
      break;
  }
  if (!opened.ok()) return opened.status();
  return NamedSemaphore(opened->sem, name, opened->created);
}

NamedSemaphore::NamedSemaphore(sem_t* sem, const PosixName& name,
                               bool created)
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
