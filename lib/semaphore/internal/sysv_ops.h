// sysv_ops.h (internal)
//
// semop()/semtimedop()/semctl() with ipcbox's outcomes: EINTR retried (the
// timed form recomputes its relative timeout from the deadline), EAGAIN
// turned into the message-less would-block or timed-out status, and a set
// that was removed (EIDRM while waiting, EINVAL for an id that no longer
// exists) into kNotFound saying so. The success, would-block and timed-out
// paths never allocate.

#ifndef IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_
#define IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_

#include <sys/sem.h>

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox::semaphore_internal {

// The fourth argument of semctl(), which the caller must define.
union SemctlArg {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
};

// Waits as long as it takes.
absl::Status Semop(int id, struct sembuf* ops, size_t count);

// One attempt; every op must carry IPC_NOWAIT. `WouldBlockError()` if the
// operations cannot all be applied now.
absl::Status TrySemop(int id, struct sembuf* ops, size_t count);

// `TimedOutError()` once `deadline` passes. An expired deadline still makes
// one attempt.
absl::Status SemopUntil(int id, struct sembuf* ops, size_t count,
                        Deadline deadline);

// semctl(id, index, cmd) for the commands that return a number (GETVAL,
// GETNCNT, GETZCNT, GETPID).
absl::StatusOr<int> SemctlGet(int id, int index, int cmd,
                              absl::string_view call);

// The status for `call` on set `id` failing with `errnum`.
absl::Status SysvError(int errnum, absl::string_view call, int id);

// kInvalidArgument if `value` is above kMaxSysvSemaphoreValue.
absl::Status CheckSysvValue(unsigned value);

}  // namespace ipcbox::semaphore_internal

#endif  // IPCBOX_SEMAPHORE_INTERNAL_SYSV_OPS_H_
