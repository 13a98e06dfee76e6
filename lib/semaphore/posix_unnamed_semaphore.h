// posix_unnamed_semaphore.h
//
// `posix::UnnamedSemaphore` is a POSIX unnamed semaphore (sem_init) shared
// between processes: it lives in memory they share (a shared memory segment,
// a shared file mapping, or an anonymous shared mapping inherited through
// fork), next to the data it guards, and exists as long as that memory does.
// The object is the semaphore itself, not a handle: it cannot be copied or
// moved, and is reached through the pointer `CreateIn()`/`AttachTo()` return.
//
// Example, a lock placed at the start of a region every process maps:
//
//   struct Shared {
//     posix::UnnamedSemaphore::Storage lock;  // first: suitably aligned
//     int frames_written;
//   };
//   // The process that sets the region up, once:
//   absl::StatusOr<posix::UnnamedSemaphore*> lock =
//       posix::UnnamedSemaphore::CreateIn(&shared->lock,
//                                         sizeof(shared->lock), 1);
//   // Any process that maps the region, after set-up:
//   absl::StatusOr<posix::UnnamedSemaphore*> lock =
//       posix::UnnamedSemaphore::AttachTo(&shared->lock,
//                                         sizeof(shared->lock));
//   (*lock)->Wait(); ++shared->frames_written; (*lock)->Post();
//
// `AttachTo()` cannot check that a peer really created a semaphore there.
// Call `Destroy()` once, when no process uses it (on Linux it holds no kernel
// resources). Not given back when a holder dies (lib/semaphore's README.md).
// `AnonymousSemaphore` (posix_anonymous_semaphore.h) also does the mapping.

#ifndef IPCBOX_SEMAPHORE_POSIX_UNNAMED_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_POSIX_UNNAMED_SEMAPHORE_H_

#include <semaphore.h>

#include <cerrno>
#include <cstddef>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox::posix {

class UnnamedSemaphore {
 public:
  // Storage of the right size and alignment to embed in a shared struct.
  struct Storage {
    alignas(sem_t) unsigned char bytes[sizeof(sem_t)];
  };

  // Creates a process-shared semaphore with `initial_value` in the
  // `size` bytes at `storage`, which must be shared memory if other
  // processes are to use it. kInvalidArgument if `storage` is null,
  // misaligned for sem_t or smaller than `sizeof(Storage)`, or if
  // `initial_value` is above SEM_VALUE_MAX. Do not create twice in the same
  // place while anyone uses the first one.
  static absl::StatusOr<UnnamedSemaphore*> CreateIn(void* storage, size_t size,
                                                    unsigned initial_value);

  // The semaphore another process created at `storage` (same checks on the
  // pointer and size; nothing can check the contents).
  static absl::StatusOr<UnnamedSemaphore*> AttachTo(void* storage, size_t size);

  UnnamedSemaphore(const UnnamedSemaphore&) = delete;
  UnnamedSemaphore& operator=(const UnnamedSemaphore&) = delete;

  // Same contract as posix::NamedSemaphore. Inline: an uncontended post or
  // wait is a few atomic instructions in glibc, and a call of our own around
  // it would cost as much again.
  absl::Status Post() {
    if (ABSL_PREDICT_TRUE(::sem_post(&sem_) == 0)) return absl::OkStatus();
    return Error(errno, "sem_post");  // EOVERFLOW: at SEM_VALUE_MAX
  }
  absl::Status Wait() {
    for (;;) {  // EINTR is retried
      if (ABSL_PREDICT_TRUE(::sem_wait(&sem_) == 0)) return absl::OkStatus();
      if (errno != EINTR) return Error(errno, "sem_wait");
    }
  }
  // `WouldBlockError()` when the value is zero.
  absl::Status TryWait() {
    for (;;) {
      if (ABSL_PREDICT_TRUE(::sem_trywait(&sem_) == 0)) {
        return absl::OkStatus();
      }
      if (errno != EINTR) return Error(errno, "sem_trywait");
    }
  }
  absl::Status WaitUntil(Deadline deadline);
  absl::Status WaitFor(absl::Duration timeout) {
    return WaitUntil(Deadline::After(timeout));
  }
  absl::StatusOr<int> Value();

  // sem_destroy. Afterwards the storage is plain memory again.
  absl::Status Destroy();

 private:
  // What error messages call it: it has no name.
  static constexpr absl::string_view kObject = "unnamed semaphore";

  // The status for `call` failing with `errnum` (would-block and timed-out
  // for EAGAIN and ETIMEDOUT). Out of line: the error path only.
  static absl::Status Error(int errnum, const char* call);

  UnnamedSemaphore() = default;
  ~UnnamedSemaphore() = default;  // Never deleted: it lives in the storage.

  sem_t sem_;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_SEMAPHORE_POSIX_UNNAMED_SEMAPHORE_H_
