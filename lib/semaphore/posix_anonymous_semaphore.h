// posix_anonymous_semaphore.h
//
// `posix::AnonymousSemaphore` is an unnamed process-shared semaphore in an
// anonymous shared mapping of its own: the simplest semaphore between a
// process and the children it forks afterwards. Nothing is named, nothing
// can be left behind in /dev/shm or ipcs, and the memory goes away with the
// last process that maps it.
//
// Example:
//
//   absl::StatusOr<posix::AnonymousSemaphore> done =
//       posix::AnonymousSemaphore::Create(0);
//   pid_t pid = fork();
//   if (pid == 0) { DoWork(); done->Post(); _exit(0); }
//   if (IsTimedOut(done->WaitFor(absl::Seconds(5)))) { ... }
//
// A forked child inherits both the mapping and a copy of this object; the
// copy works the same. Only the creating process destroys the semaphore
// (sem_destroy) when its object is destroyed; every copy unmaps its own
// mapping. Destroy the creator's object after the children stop using it.
//
// Processes that are not related by fork cannot find it: use a named
// semaphore, or an `UnnamedSemaphore` placed in named shared memory.

#ifndef IPCBOX_SEMAPHORE_POSIX_ANONYMOUS_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_POSIX_ANONYMOUS_SEMAPHORE_H_

#include <sys/types.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::posix {

class AnonymousSemaphore {
 public:
  // An empty object: every operation fails with kFailedPrecondition.
  AnonymousSemaphore() = default;

  // Maps one shared page and creates the semaphore in it.
  // kInvalidArgument for an initial value above SEM_VALUE_MAX.
  static absl::StatusOr<AnonymousSemaphore> Create(unsigned initial_value);

  // For generic code: `options.initial_value`; the other fields do not
  // apply to a semaphore without a name.
  static absl::StatusOr<AnonymousSemaphore> Create(
      const SemaphoreOptions& options) {
    return Create(options.initial_value);
  }

  AnonymousSemaphore(AnonymousSemaphore&& other) noexcept;
  AnonymousSemaphore& operator=(AnonymousSemaphore&& other) noexcept;
  AnonymousSemaphore(const AnonymousSemaphore&) = delete;
  AnonymousSemaphore& operator=(const AnonymousSemaphore&) = delete;
  ~AnonymousSemaphore();

  // Same contract as posix::NamedSemaphore.
  absl::Status Post();
  absl::Status Wait();
  absl::Status TryWait();
  absl::Status WaitUntil(Deadline deadline);
  absl::Status WaitFor(absl::Duration timeout) {
    return WaitUntil(Deadline::After(timeout));
  }
  absl::StatusOr<int> Value() const;

  bool is_open() const { return semaphore_ != nullptr; }

 private:
  AnonymousSemaphore(UnnamedSemaphore* semaphore, void* mapping)
      : semaphore_(semaphore), mapping_(mapping), creator_pid_(::getpid()) {}

  // The destructor's work; leaves the object empty.
  void Reset();

  UnnamedSemaphore* semaphore_ = nullptr;
  void* mapping_ = nullptr;
  pid_t creator_pid_ = -1;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_SEMAPHORE_POSIX_ANONYMOUS_SEMAPHORE_H_
