#include "ipcbox/semaphore/posix_anonymous_semaphore.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/semaphore/internal/not_open_error.h"
#include "ipcbox/semaphore/internal/posix_sem_ops.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"

namespace ipcbox::posix {
namespace {

using semaphore_internal::NotOpenError;

// The length asked of mmap (which maps a whole page) and given to munmap.
constexpr size_t kMappingSize = sizeof(UnnamedSemaphore::Storage);

}  // namespace

absl::StatusOr<AnonymousSemaphore> AnonymousSemaphore::Create(
    unsigned initial_value) {
  if (absl::Status s = semaphore_internal::CheckPosixInitialValue(
          initial_value, "anonymous semaphore");
      !s.ok()) {
    return s;
  }
  void* mapping = ::mmap(nullptr, kMappingSize, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) {
    return ErrnoError(errno, "mmap", "anonymous semaphore");
  }
  absl::StatusOr<UnnamedSemaphore*> semaphore =
      UnnamedSemaphore::CreateIn(mapping, kMappingSize, initial_value);
  if (!semaphore.ok()) {
    ::munmap(mapping, kMappingSize);
    return semaphore.status();
  }
  return AnonymousSemaphore(*semaphore, mapping);
}

AnonymousSemaphore::AnonymousSemaphore(AnonymousSemaphore&& other) noexcept
    : semaphore_(std::exchange(other.semaphore_, nullptr)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      creator_pid_(std::exchange(other.creator_pid_, -1)) {}

AnonymousSemaphore& AnonymousSemaphore::operator=(
    AnonymousSemaphore&& other) noexcept {
  if (this != &other) {
    Reset();
    semaphore_ = std::exchange(other.semaphore_, nullptr);
    mapping_ = std::exchange(other.mapping_, nullptr);
    creator_pid_ = std::exchange(other.creator_pid_, -1);
  }
  return *this;
}

AnonymousSemaphore::~AnonymousSemaphore() { Reset(); }

void AnonymousSemaphore::Reset() {
  if (semaphore_ == nullptr) return;
  const int saved_errno = errno;
  if (creator_pid_ == ::getpid()) semaphore_->Destroy().IgnoreError();
  ::munmap(mapping_, kMappingSize);
  errno = saved_errno;
  semaphore_ = nullptr;
  mapping_ = nullptr;
}

absl::Status AnonymousSemaphore::Post() {
  if (semaphore_ == nullptr) return NotOpenError("sem_post");
  return semaphore_->Post();
}

absl::Status AnonymousSemaphore::Wait() {
  if (semaphore_ == nullptr) return NotOpenError("sem_wait");
  return semaphore_->Wait();
}

absl::Status AnonymousSemaphore::TryWait() {
  if (semaphore_ == nullptr) return NotOpenError("sem_trywait");
  return semaphore_->TryWait();
}

absl::Status AnonymousSemaphore::WaitUntil(Deadline deadline) {
  if (semaphore_ == nullptr) return NotOpenError("sem_clockwait");
  return semaphore_->WaitUntil(deadline);
}

absl::StatusOr<int> AnonymousSemaphore::Value() const {
  if (semaphore_ == nullptr) return NotOpenError("sem_getvalue");
  return semaphore_->Value();
}

}  // namespace ipcbox::posix
