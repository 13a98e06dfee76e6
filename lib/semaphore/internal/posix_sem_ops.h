// posix_sem_ops.h (internal)
//
// The operations that POSIX named and unnamed semaphores share, on a bare
// `sem_t*`: post, wait, try-wait, timed wait, value. `object` names the
// semaphore in error messages only, so passing it costs nothing on success.
// Would-block and timed-out outcomes are message-less statuses: no
// allocation on any hot path.

#ifndef IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_
#define IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_

#include <semaphore.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox::semaphore_internal {

absl::Status PostSem(sem_t* sem, absl::string_view object);

// Waits without a time limit; EINTR is retried.
absl::Status WaitSem(sem_t* sem, absl::string_view object);

// `WouldBlockError()` when the value is zero.
absl::Status TryWaitSem(sem_t* sem, absl::string_view object);

// sem_clockwait on CLOCK_MONOTONIC; `TimedOutError()` once `deadline`
// passes. An expired deadline still takes a semaphore that is available.
absl::Status WaitSemUntil(sem_t* sem, Deadline deadline,
                          absl::string_view object);

absl::StatusOr<int> SemValue(sem_t* sem, absl::string_view object);

// kInvalidArgument if `value` is above SEM_VALUE_MAX.
absl::Status CheckPosixInitialValue(unsigned value, absl::string_view object);

}  // namespace ipcbox::semaphore_internal

#endif  // IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_
