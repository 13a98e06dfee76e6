// recoverable_semaphore.h
//
// A POSIX named semaphore used as a turn that each taker hands back (a lock,
// or the seed's memreader: wait, read, post), with a record of who holds the
// turn, so that a waiter can give back the turn of a holder that died.
// Nothing else does: POSIX semaphores have no SEM_UNDO, and a holder killed
// between its wait and its post leaves every later waiter blocked forever.
//
// Example (the memreader):
//
//   SemaphoreOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   absl::StatusOr<posix::RecoverableSemaphore> turn =
//       posix::RecoverableSemaphore::Open(*name, options);
//   absl::Status s = turn->TakeTurn(Deadline::After(absl::Seconds(30)));
//   if (!s.ok()) return s;  // DeadlineExceeded names the live holder, if any
//   ... read ...
//   turn->GiveBackTurn().IgnoreError();
//
// The record is a small POSIX shared memory object beside the semaphore,
// "<name>.holder", holding the holder's pid; whoever creates it removes it.
// A waiter checks it every `kHolderCheckInterval` and, if the recorded
// process is gone, posts on its behalf, once. lib/semaphore's README.md has
// the limits (what it cannot see).

#ifndef IPCBOX_SEMAPHORE_RECOVERABLE_SEMAPHORE_H_
#define IPCBOX_SEMAPHORE_RECOVERABLE_SEMAPHORE_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/shm/posix_shared_memory.h"

namespace ipcbox::posix {

inline constexpr absl::Duration kHolderCheckInterval = absl::Milliseconds(100);

class RecoverableSemaphore {
 public:
  // Opens the semaphore as `NamedSemaphore::Open()` does, and its holder
  // record (open or create, same permissions and ownership policy).
  static absl::StatusOr<RecoverableSemaphore> Open(
      const PosixName& name, const SemaphoreOptions& options);

  RecoverableSemaphore(RecoverableSemaphore&&) = default;
  RecoverableSemaphore& operator=(RecoverableSemaphore&&) = default;

  // Waits for the turn until `deadline`, giving back a dead holder's turn
  // on the way; then records this process as the holder. On timeout,
  // DeadlineExceeded saying whether a live process (and which) holds it.
  absl::Status TakeTurn(Deadline deadline);
  // Clears the record (if it is ours) and posts.
  absl::Status GiveBackTurn();
  // Posts without holding (the writer's "data ready").
  absl::Status Post() { return semaphore_.Post(); }

  // The pid of the dead holder whose turn the last `TakeTurn()` gave back,
  // or 0.
  pid_t recovered_from() const { return recovered_from_; }

  NamedSemaphore& semaphore() { return semaphore_; }
  bool created() const { return semaphore_.created(); }
  // Removes the semaphore's name and its record's.
  absl::Status Remove();

 private:
  RecoverableSemaphore(NamedSemaphore semaphore, SharedMemory record)
      : semaphore_(std::move(semaphore)), record_(std::move(record)) {}

  NamedSemaphore semaphore_;
  SharedMemory record_;
  pid_t recovered_from_ = 0;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_SEMAPHORE_RECOVERABLE_SEMAPHORE_H_
