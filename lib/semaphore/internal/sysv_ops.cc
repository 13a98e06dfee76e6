#include "ipcbox/semaphore/internal/sysv_ops.h"

#include <sys/sem.h>
#include <time.h>

#include <cerrno>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::semaphore_internal {

absl::Status SysvError(int errnum, absl::string_view call, int id) {
  if (errnum == EIDRM || errnum == EINVAL) {
    // EINVAL is also "bad argument", but every argument ipcbox passes has
    // been checked: what is left is an id that does not name a set.
    return absl::NotFoundError(absl::StrCat(
        call, "(System V semaphore set id ", id, "): the set was removed (",
        errnum == EIDRM ? "EIDRM" : "EINVAL",
        "); its id no longer names a set"));
  }
  return ErrnoError(errnum, call,
                    absl::StrCat("System V semaphore set id ", id));
}

absl::Status SemopUntil(int id, struct sembuf* ops, size_t count,
                        Deadline deadline) {
  if (deadline.is_infinite()) return Semop(id, ops, count);
  for (;;) {
    // Relative: recomputed for every attempt, or each EINTR would restart
    // the whole timeout.
    struct timespec left = deadline.RelativeTimespec();
    if (::semtimedop(id, ops, count, &left) == 0) return absl::OkStatus();
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN) return TimedOutError();
    return SysvError(err, "semtimedop", id);
  }
}

absl::StatusOr<int> SemctlGet(int id, int index, int cmd,
                              absl::string_view call) {
  const int value = ::semctl(id, index, cmd);
  if (value == -1) return SysvError(errno, call, id);
  return value;
}

absl::Status CheckSysvValue(unsigned value) {
  if (value <= kMaxSysvSemaphoreValue) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("System V semaphore value ",
                                                 value, " is above SEMVMX (",
                                                 kMaxSysvSemaphoreValue, ")"));
}

}  // namespace ipcbox::semaphore_internal
