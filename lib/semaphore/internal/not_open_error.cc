#include "ipcbox/semaphore/internal/not_open_error.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ipcbox::semaphore_internal {

absl::Status NotOpenError(absl::string_view operation) {
  return absl::FailedPreconditionError(
      absl::StrCat(operation,
                   ": the semaphore object is empty (moved from "
                   "or never opened)"));
}

}  // namespace ipcbox::semaphore_internal
