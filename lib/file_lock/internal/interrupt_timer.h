// interrupt_timer.h
//
// Internal to //lib/file_lock: `InterruptTimer` interrupts the calling
// thread's blocking system call at a deadline: a POSIX timer on
// CLOCK_MONOTONIC sends `LockTimeoutSignal()` to this thread only, at the
// deadline and then every millisecond until the object is destroyed. Each
// thread keeps one timer, created by its first timed wait that blocks and
// deleted when the thread exits, and arms it per wait. See
// timeout_signal.h for why and how.
//
// Example:
//
//   InterruptTimer timer;
//   if (absl::Status s = timer.Arm(deadline); !s.ok()) return s;
//   while (::flock(fd, LOCK_EX) != 0) {
//     if (errno != EINTR) return ...;
//     if (deadline.expired()) return TimedOutError();
//   }
//
// `WaitUntil()` below is that loop. Neither allocates, except that a
// thread's first timed wait that blocks registers the clean-up of its timer
// at thread exit (glibc allocates that record once per thread).

#ifndef IPCBOX_FILE_LOCK_INTERNAL_INTERRUPT_TIMER_H_
#define IPCBOX_FILE_LOCK_INTERNAL_INTERRUPT_TIMER_H_

#include <time.h>

#include <cerrno>

#include "absl/status/status.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace file_lock_internal {

class InterruptTimer {
 public:
  InterruptTimer() = default;
  InterruptTimer(const InterruptTimer&) = delete;
  InterruptTimer& operator=(const InterruptTimer&) = delete;

  // Disarms the timer (the thread's own is kept for its next timed wait),
  // then blocks the signal again if `Arm()` unblocked it. In that order, a
  // signal still pending is delivered (to the do-nothing handler) while it
  // is unblocked, and none is left for the program to find.
  ~InterruptTimer();

  // Starts the timer; call once, with a finite deadline. Fails if the
  // signal is taken (kFailedPrecondition) or the timer cannot be made
  // (EAGAIN: too many timers).
  absl::Status Arm(Deadline deadline);

 private:
  timer_t timer_{};
  bool armed_ = false;      // timer_ is the thread's timer, armed by Arm().
  bool own_timer_ = false;  // timer_ was created for this object alone.
  int unblocked_signal_ = 0;  // The signal Arm() unblocked, or 0.
};

// Calls `blocking_call` (a system call returning 0, or -1 with errno) until
// it succeeds, fails with something other than EINTR (then returns
// `map_error(errno)`), or `deadline` passes (then `TimedOutError()`).
// `deadline` must be finite.
template <typename BlockingCall, typename ErrorMapper>
absl::Status WaitUntil(Deadline deadline, BlockingCall&& blocking_call,
                       ErrorMapper&& map_error) {
  InterruptTimer timer;
  if (absl::Status armed = timer.Arm(deadline); !armed.ok()) return armed;
  for (;;) {
    if (blocking_call() == 0) return absl::OkStatus();
    const int err = errno;
    if (err != EINTR) return map_error(err);
    if (deadline.expired()) return TimedOutError();
  }
}

}  // namespace file_lock_internal
}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_INTERNAL_INTERRUPT_TIMER_H_
