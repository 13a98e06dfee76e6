#include "ipcbox/semaphore/sysv_semaphore.h"

#include <sys/sem.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/semaphore/internal/not_open_error.h"
#include "ipcbox/semaphore/internal/sysv_ops.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore_set.h"

namespace ipcbox::sysv {

absl::StatusOr<Semaphore> Semaphore::Open(IpcKey key,
                                          const SemaphoreOptions& options) {
  const unsigned initial_values[] = {options.initial_value};
  SemaphoreSetOptions set_options;
  set_options.open_mode = options.open_mode;
  set_options.permissions = options.permissions;
  set_options.initialization_timeout = options.initialization_timeout;
  absl::StatusOr<SemaphoreSet> set =
      SemaphoreSet::Open(key, initial_values, set_options);
  if (!set.ok()) return set.status();
  return Semaphore(*std::move(set), options.undo_on_exit);
}

absl::StatusOr<Semaphore> Semaphore::Open(const PosixName& name,
                                          const SemaphoreOptions& options) {
  return Open(IpcKey::FromName(name), options);
}

absl::StatusOr<Semaphore> Semaphore::Open(absl::string_view name,
                                          const SemaphoreOptions& options) {
  absl::StatusOr<PosixName> valid =
      PosixName::Create(name, kMaxSemaphoreNameLength);
  if (!valid.ok()) return valid.status();
  return Open(*valid, options);
}

absl::Status Semaphore::Post() {
  if (!set_.is_open()) return semaphore_internal::NotOpenError("semop");
  struct sembuf op = {0, 1, undo_flag_};
  return semaphore_internal::Semop(set_.id(), &op, 1);
}

absl::Status Semaphore::Wait() {
  if (!set_.is_open()) return semaphore_internal::NotOpenError("semop");
  struct sembuf op = {0, -1, undo_flag_};
  return semaphore_internal::Semop(set_.id(), &op, 1);
}

absl::Status Semaphore::TryWait() {
  if (!set_.is_open()) return semaphore_internal::NotOpenError("semop");
  struct sembuf op = {0, -1, static_cast<short>(undo_flag_ | IPC_NOWAIT)};
  return semaphore_internal::TrySemop(set_.id(), &op, 1);
}

absl::Status Semaphore::WaitUntil(Deadline deadline) {
  if (!set_.is_open()) return semaphore_internal::NotOpenError("semtimedop");
  struct sembuf op = {0, -1, undo_flag_};
  return semaphore_internal::SemopUntil(set_.id(), &op, 1, deadline);
}

absl::StatusOr<int> Semaphore::Value() const { return set_.Value(0); }

}  // namespace ipcbox::sysv
