// deadline.h
//
// `Deadline` is the point in time at which a blocking call gives up. Calls
// take a deadline rather than a timeout so that a wait made of several steps
// (retry after EINTR, wait again after a spurious wake-up, lock then
// receive) spends the caller's budget once in total instead of once per
// step. It is measured on CLOCK_MONOTONIC, which the wall clock's steps (NTP,
// settimeofday, a board without an RTC setting its date at boot) do not
// move.
//
// Example:
//
//   Deadline deadline = Deadline::After(absl::Milliseconds(250));
//   for (;;) {
//     int r = ::poll(&pfd, 1, deadline.PollTimeoutMs());
//     if (r > 0) break;
//     if (r == 0) return TimedOutError();
//     if (errno != EINTR) return ErrnoError(errno, "poll", pfd.fd);
//   }
//
// Everything here is a few integer operations and one clock_gettime() call:
// no allocation, safe on hot paths. A `Deadline` is a small value; copy it.

#ifndef IPCBOX_CORE_DEADLINE_H_
#define IPCBOX_CORE_DEADLINE_H_

#include <time.h>

#include "absl/time/time.h"

namespace ipcbox {

class Deadline {
 public:
  // Never expires. Prefer the untimed system call over passing the
  // timespecs below, which saturate to the largest representable time.
  static constexpr Deadline Infinite() {
    return Deadline(absl::InfiniteDuration());
  }

  // Already expired: a timed call makes one attempt and does not wait.
  static constexpr Deadline Expired() { return Deadline(absl::ZeroDuration()); }

  // `timeout` from now. Zero or negative gives `Expired()`,
  // `absl::InfiniteDuration()` gives `Infinite()`. Durations too long to
  // represent (centuries) are also treated as infinite. Sub-nanosecond
  // fractions round up, so that no call returns before the time asked for.
  static Deadline After(absl::Duration timeout);

  bool is_infinite() const { return when_ == absl::InfiniteDuration(); }
  bool expired() const;

  // Time left: zero once expired, never negative; `absl::InfiniteDuration()`
  // for an infinite deadline.
  absl::Duration Remaining() const;

  // The time left as a poll()/epoll_wait() timeout: -1 when infinite, else in
  // whole milliseconds rounded UP (poll would otherwise return up to 1 ms
  // before the deadline, and a loop around it would spin on 0 timeouts),
  // clamped to INT_MAX.
  int PollTimeoutMs() const;

  // The deadline as an absolute CLOCK_MONOTONIC time, for sem_clockwait(),
  // pthread_cond_clockwait(), pthread_mutex_clocklock() and
  // clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME).
  struct timespec MonotonicTimespec() const;

  // The deadline as an absolute CLOCK_REALTIME time, for the calls that only
  // know the wall clock (mq_timedsend, mq_timedreceive, sem_timedwait,
  // pthread_mutex_timedlock). Caveat: it is computed from the time left now;
  // if the wall clock is stepped while the call waits, the call returns early
  // or late by the size of the step. On ETIMEDOUT, check `expired()` and, if
  // the deadline has not really passed, call again with a fresh timespec.
  struct timespec RealtimeTimespec() const;

  // The time left as a relative timespec, for semtimedop() and ppoll().
  // Computed now: recompute it before each attempt.
  struct timespec RelativeTimespec() const;

 private:
  // `when` is measured from the CLOCK_MONOTONIC epoch.
  explicit constexpr Deadline(absl::Duration when) : when_(when) {}

  absl::Duration when_;
};

// The poll() timeout for waiting `timeout`: -1 for an infinite duration, 0
// for zero or negative, else whole milliseconds rounded up and clamped to
// INT_MAX. `Deadline::PollTimeoutMs()` is this applied to `Remaining()`.
int ToPollTimeoutMs(absl::Duration timeout);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_DEADLINE_H_
