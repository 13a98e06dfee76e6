// backoff.h
//
// `Backoff` paces a wait for something the kernel cannot wait for with a
// timeout (F_SETLKW, flock, msgsnd/msgrcv, opening a FIFO for writing):
// the caller tries without blocking, and between tries a `Backoff` yields
// the CPU a few times, then sleeps, the sleeps doubling from
// `kFirstSleep` up to a cap, never past the deadline. lib/core's README.md
// ("Waiting with a deadline") says why ipcbox waits this way rather than
// interrupting a blocking call with a timer signal, and what it costs.
//
// Example (what `RetryUntil()` below does):
//
//   Backoff backoff;
//   for (;;) {
//     if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return absl::OkStatus();
//     if (errno != EWOULDBLOCK) return ErrnoError(errno, "flock", fd);
//     if (!backoff.Wait(deadline)) return TimedOutError();
//   }
//
// No allocation, no signal, no change to the signal mask. A signal that
// interrupts a sleep only makes the next try come early.

#ifndef IPCBOX_CORE_BACKOFF_H_
#define IPCBOX_CORE_BACKOFF_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {

class Backoff {
 public:
  // sched_yield() calls before the first sleep: on a CPU shared with the
  // peer they let it run (and finish) at once; elsewhere they cost ~1 us.
  static constexpr int kYields = 3;
  static constexpr absl::Duration kFirstSleep = absl::Microseconds(20);
  static constexpr absl::Duration kDefaultMaxSleep = absl::Milliseconds(5);

  // `max_sleep` caps the sleeps (values below `kFirstSleep` are raised to
  // it): the longest a waiter can notice its condition late.
  explicit Backoff(absl::Duration max_sleep = kDefaultMaxSleep);

  // The next step of a wait with `remaining` time left, and advances: the
  // first `kYields` steps are yields (`yield`, no sleep), the rest sleeps of
  // `sleep`, never longer than `remaining`. No clock, no system call: what
  // `Wait()` does, for tests.
  struct Step {
    bool yield = false;
    absl::Duration sleep = absl::ZeroDuration();
  };
  Step Next(absl::Duration remaining);

  // False, without waiting, if `deadline` has passed; else takes the next
  // step (sched_yield() or clock_nanosleep() on CLOCK_MONOTONIC) and
  // returns true. An infinite deadline sleeps the capped step forever.
  bool Wait(const Deadline& deadline);

 private:
  int yields_left_ = kYields;
  absl::Duration next_sleep_ = kFirstSleep;
  absl::Duration max_sleep_;
};

// Calls `attempt()` until it returns something other than a would-block
// status (then returns that), backing off between calls; `TimedOutError()`
// once `deadline` has passed. `attempt` is called at least once, so an
// expired deadline makes exactly one try.
template <typename Attempt>
absl::Status RetryUntil(const Deadline& deadline, Attempt&& attempt,
                        Backoff backoff = Backoff()) {
  for (;;) {
    absl::Status status = attempt();
    if (!IsWouldBlock(status)) return status;
    if (!backoff.Wait(deadline)) return TimedOutError();
  }
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_BACKOFF_H_
