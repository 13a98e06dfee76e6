#include "ipcbox/semaphore/posix_unnamed_semaphore.h"

#include <semaphore.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/semaphore/internal/posix_sem_ops.h"

namespace ipcbox::posix {
namespace {

absl::Status CheckStorage(const void* storage, size_t size) {
  if (storage == nullptr) {
    return absl::InvalidArgumentError("unnamed semaphore: storage is null");
  }
  if (reinterpret_cast<uintptr_t>(storage) % alignof(sem_t) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unnamed semaphore: storage at 0x",
                     absl::Hex(reinterpret_cast<uintptr_t>(storage)),
                     " is not aligned to ", alignof(sem_t), " bytes"));
  }
  if (size < sizeof(sem_t)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unnamed semaphore: storage has ", size,
                     " bytes, fewer than the ", sizeof(sem_t), " it needs"));
  }
  return absl::OkStatus();
}

}  // namespace

static_assert(sizeof(UnnamedSemaphore) == sizeof(sem_t),
              "the object must be exactly the semaphore");
static_assert(sizeof(UnnamedSemaphore::Storage) == sizeof(sem_t));

absl::StatusOr<UnnamedSemaphore*> UnnamedSemaphore::CreateIn(
    void* storage, size_t size, unsigned initial_value) {
  if (absl::Status s = CheckStorage(storage, size); !s.ok()) return s;
  if (absl::Status s =
          semaphore_internal::CheckPosixInitialValue(initial_value, kObject);
      !s.ok()) {
    return s;
  }
  UnnamedSemaphore* semaphore = new (storage) UnnamedSemaphore;
  if (::sem_init(&semaphore->sem_, /*pshared=*/1, initial_value) != 0) {
    return ErrnoError(errno, "sem_init", kObject);
  }
  return semaphore;
}

absl::StatusOr<UnnamedSemaphore*> UnnamedSemaphore::AttachTo(void* storage,
                                                             size_t size) {
  if (absl::Status s = CheckStorage(storage, size); !s.ok()) return s;
  // The peer constructed the object there; this process only names it.
  return std::launder(reinterpret_cast<UnnamedSemaphore*>(storage));
}

absl::Status UnnamedSemaphore::Error(int errnum, const char* call) {
  return semaphore_internal::SemError(errnum, call, kObject);
}

absl::Status UnnamedSemaphore::WaitUntil(Deadline deadline) {
  return semaphore_internal::WaitSemUntil(&sem_, deadline, kObject);
}

absl::StatusOr<int> UnnamedSemaphore::Value() {
  return semaphore_internal::SemValue(&sem_, kObject);
}

absl::Status UnnamedSemaphore::Destroy() {
  if (::sem_destroy(&sem_) != 0) {
    return ErrnoError(errno, "sem_destroy", kObject);
  }
  return absl::OkStatus();
}

}  // namespace ipcbox::posix
