// sysv_ops.h (internal)
//
// semop()/semtimedop()/semctl() with ipcbox's outcomes: EINTR retried (the
// timed form recomputes its relative timeout from the deadline), EAGAIN
// turned into the message-less would-block or timed-out status, and a set
// that was removed (EIDRM while waiting, EINVAL for an id that no longer
// exists) into kNotFound saying so. The success, would-block and timed-out
// paths never allocate.
//
// Example (`sysv::Semaphore::Wait()` and `TryWait()` on semaphore 0):
//
//   struct sembuf op = {0, -1, SEM_UNDO};
//   absl::Status s = Semop(set_id, &op, 1);           // waits; EINTR retried
//   op.sem_flg = SEM_UNDO | IPC_NOWAIT;
//   if (IsWouldBlock(TrySemop(set_id, &op, 1))) ...   // the value was 0

#ifndef IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_
#define IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_

#include <sys/sem.h>

#include <cerrno>
#include <cstddef>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox::semaphore_internal {

// The fourth argument of semctl(), which the caller must define.
union SemctlArg {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
};

// The status for `call` on set `id` failing with `errnum`. Out of line.
absl::Status SysvError(int errnum, absl::string_view call, int id);

// Waits as long as it takes. semop applies all the operations or none, so
// a retry after EINTR cannot apply any of them twice. Inline: see
// posix_sem_ops.h.
inline absl::Status Semop(int id, struct sembuf* ops, size_t count) {
  for (;;) {
    if (ABSL_PREDICT_TRUE(::semop(id, ops, count) == 0)) {
      return absl::OkStatus();
    }
    if (errno != EINTR) return SysvError(errno, "semop", id);
  }
}

// One attempt; every op must carry IPC_NOWAIT. `WouldBlockError()` if the
// operations cannot all be applied now.
inline absl::Status TrySemop(int id, struct sembuf* ops, size_t count) {
  for (;;) {
    if (ABSL_PREDICT_TRUE(::semop(id, ops, count) == 0)) {
      return absl::OkStatus();
    }
    if (errno == EAGAIN) return WouldBlockError();
    if (errno != EINTR) return SysvError(errno, "semop", id);
  }
}

// `TimedOutError()` once `deadline` passes. An expired deadline still makes
// one attempt.
absl::Status SemopUntil(int id, struct sembuf* ops, size_t count,
                        Deadline deadline);

// semctl(id, index, cmd) for the commands that return a number (GETVAL,
// GETNCNT, GETZCNT, GETPID).
absl::StatusOr<int> SemctlGet(int id, int index, int cmd,
                              absl::string_view call);

// kInvalidArgument if `value` is above kMaxSysvSemaphoreValue.
absl::Status CheckSysvValue(unsigned value);

}  // namespace ipcbox::semaphore_internal

#endif  // IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_
