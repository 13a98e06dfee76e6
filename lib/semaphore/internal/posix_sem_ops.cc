#include "ipcbox/semaphore/internal/posix_sem_ops.h"

#include <semaphore.h>
#include <time.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::semaphore_internal {

absl::Status SemError(int errnum, absl::string_view call,
                      absl::string_view object) {
  if (errnum == EAGAIN) return WouldBlockError();
  if (errnum == ETIMEDOUT) return TimedOutError();
  return ErrnoError(errnum, call, object);
}

absl::Status WaitSemUntil(sem_t* sem, Deadline deadline,
                          absl::string_view object) {
  if (deadline.is_infinite()) return WaitSem(sem, object);
  // An absolute time: retrying after EINTR keeps the same deadline.
  const struct timespec when = deadline.MonotonicTimespec();
  if (RetryOnEintr(
          [&] { return ::sem_clockwait(sem, CLOCK_MONOTONIC, &when); }) == 0) {
    return absl::OkStatus();
  }
  return SemError(errno, "sem_clockwait", object);
}

absl::StatusOr<int> SemValue(sem_t* sem, absl::string_view object) {
  int value = 0;
  if (::sem_getvalue(sem, &value) != 0) {
    return ErrnoError(errno, "sem_getvalue", object);
  }
  // POSIX allows a negative value counting the waiters; glibc reports 0.
  return value < 0 ? 0 : value;
}

absl::Status CheckPosixInitialValue(unsigned value, absl::string_view object) {
  if (value <= kMaxPosixSemaphoreValue) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "semaphore ", QuoteForMessage(object), ": initial value ", value,
      " is above SEM_VALUE_MAX (", kMaxPosixSemaphoreValue, ")"));
}

}  // namespace ipcbox::semaphore_internal
