#include "ipcbox/core/deadline.h"

#include <time.h>

#include <climits>
#include <cstdint>

#include "absl/time/time.h"

namespace ipcbox {
namespace {

// Not absl::Now(): that is CLOCK_REALTIME, which jumps when the date is set.
absl::Duration Now(clockid_t clock) {
  struct timespec ts;
  ::clock_gettime(clock, &ts);  // Cannot fail for these clocks.
  return absl::DurationFromTimespec(ts);
}

absl::Duration MonotonicNow() { return Now(CLOCK_MONOTONIC); }

}  // namespace

Deadline Deadline::After(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return Infinite();
  if (timeout <= absl::ZeroDuration()) return Expired();
  // The usual timeout is whole nanoseconds and needs no rounding; checking
  // that is a multiplication, Ceil() a division (timed calls of every
  // mechanism start here).
  if (timeout < absl::Hours(24 * 365)) {
    const int64_t ns = absl::ToInt64Nanoseconds(timeout);
    if (absl::Nanoseconds(ns) == timeout) {
      return Deadline(MonotonicNow() + timeout);
    }
  }
  // Duration arithmetic saturates to InfiniteDuration() on overflow, which
  // is how absurdly long timeouts become infinite.
  return Deadline(MonotonicNow() + absl::Ceil(timeout, absl::Nanoseconds(1)));
}

bool Deadline::expired() const {
  if (is_infinite()) return false;
  return MonotonicNow() >= when_;
}

absl::Duration Deadline::Remaining() const {
  if (is_infinite()) return absl::InfiniteDuration();
  const absl::Duration left = when_ - MonotonicNow();
  return left > absl::ZeroDuration() ? left : absl::ZeroDuration();
}

int Deadline::PollTimeoutMs() const { return ToPollTimeoutMs(Remaining()); }

struct timespec Deadline::MonotonicTimespec() const {
  // ToTimespec saturates to the largest time_t for infinite or too-large
  // durations; that matters on 32-bit ARM, where time_t may be 32 bits.
  return absl::ToTimespec(when_);
}

struct timespec Deadline::RealtimeTimespec() const {
  return absl::ToTimespec(Now(CLOCK_REALTIME) + Remaining());
}

struct timespec Deadline::RelativeTimespec() const {
  return absl::ToTimespec(Remaining());
}

int ToPollTimeoutMs(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  if (timeout <= absl::ZeroDuration()) return 0;
  const absl::Duration ms = absl::Ceil(timeout, absl::Milliseconds(1));
  if (ms >= absl::Milliseconds(INT_MAX)) return INT_MAX;
  return static_cast<int>(absl::ToInt64Milliseconds(ms));
}

}  // namespace ipcbox
