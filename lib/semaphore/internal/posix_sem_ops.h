// posix_sem_ops.h (internal)
//
// The operations that POSIX named and unnamed semaphores share, on a bare
// `sem_t*`: post, wait, try-wait, timed wait, value. `object` names the
// semaphore in error messages only, so passing it costs nothing on success.
// Would-block and timed-out outcomes are message-less statuses: no
// allocation on any hot path.
//
// Example (what the named and unnamed semaphores' calls come down to):
//
//   absl::Status s = TryWaitSem(sem, name);           // sem_t* from sem_open
//   if (IsWouldBlock(s)) s = WaitSemUntil(sem, deadline, name);
//   if (IsTimedOut(s)) ...                            // nobody posted in time
//   s = PostSem(sem, name);
//
// The success paths are inline: an uncontended post or wait is a couple of
// atomic instructions inside glibc, and a call layer of ours would cost as
// much again. Errors go out of line.

#ifndef IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_
#define IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_

#include <semaphore.h>

#include <cerrno>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox::semaphore_internal {

// The status for `call` failing with `errnum` on `object`, except EAGAIN
// (would block) and ETIMEDOUT (timed out), which become the message-less
// statuses. Out of line.
absl::Status SemError(int errnum, absl::string_view call,
                      absl::string_view object);

inline absl::Status PostSem(sem_t* sem, absl::string_view object) {
  if (ABSL_PREDICT_TRUE(::sem_post(sem) == 0)) return absl::OkStatus();
  // EOVERFLOW: the value is already SEM_VALUE_MAX.
  return SemError(errno, "sem_post", object);
}

// Waits without a time limit; EINTR is retried.
inline absl::Status WaitSem(sem_t* sem, absl::string_view object) {
  for (;;) {
    if (ABSL_PREDICT_TRUE(::sem_wait(sem) == 0)) return absl::OkStatus();
    if (errno != EINTR) return SemError(errno, "sem_wait", object);
  }
}

// `WouldBlockError()` when the value is zero.
inline absl::Status TryWaitSem(sem_t* sem, absl::string_view object) {
  for (;;) {
    if (ABSL_PREDICT_TRUE(::sem_trywait(sem) == 0)) return absl::OkStatus();
    if (errno != EINTR) return SemError(errno, "sem_trywait", object);
  }
}

// sem_clockwait on CLOCK_MONOTONIC; `TimedOutError()` once `deadline`
// passes. An expired deadline still takes a semaphore that is available.
absl::Status WaitSemUntil(sem_t* sem, Deadline deadline,
                          absl::string_view object);

absl::StatusOr<int> SemValue(sem_t* sem, absl::string_view object);

// kInvalidArgument if `value` is above SEM_VALUE_MAX.
absl::Status CheckPosixInitialValue(unsigned value, absl::string_view object);

}  // namespace ipcbox::semaphore_internal

#endif  // IPCBOX_SEMAPHORE_INTERNAL_POSIX_SEM_OPS_H_
