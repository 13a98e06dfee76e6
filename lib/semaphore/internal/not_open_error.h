// not_open_error.h (internal)
//
// The status every semaphore type returns for an operation on an empty
// object (default-constructed or moved from): a caller bug, reported as
// kFailedPrecondition rather than a crash on a null handle.
//
// Example (`posix::NamedSemaphore::Post()`):
//
//   if (sem_ == nullptr) return NotOpenError("sem_post");
//   return PostSem(sem_, name_.view());

#ifndef IPCBOX_SEMAPHORE_INTERNAL_NOT_OPEN_ERROR_H_
#define IPCBOX_SEMAPHORE_INTERNAL_NOT_OPEN_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox::semaphore_internal {

absl::Status NotOpenError(absl::string_view operation);

}  // namespace ipcbox::semaphore_internal

#endif  // IPCBOX_SEMAPHORE_INTERNAL_NOT_OPEN_ERROR_H_
