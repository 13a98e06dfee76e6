#include "ipcbox/core/backoff.h"

#include <sched.h>
#include <time.h>

#include <algorithm>

#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"

namespace ipcbox {

Backoff::Backoff(absl::Duration max_sleep)
    : max_sleep_(std::max(max_sleep, kFirstSleep)) {}

Backoff::Step Backoff::Next(absl::Duration remaining) {
  Step step;
  if (yields_left_ > 0) {
    --yields_left_;
    step.yield = true;
    return step;
  }
  step.sleep = std::max(std::min(next_sleep_, remaining), absl::ZeroDuration());
  next_sleep_ = std::min(next_sleep_ * 2, max_sleep_);
  return step;
}

bool Backoff::Wait(const Deadline& deadline) {
  // One clock read: the time left bounds this step's sleep.
  const absl::Duration remaining = deadline.Remaining();
  if (remaining <= absl::ZeroDuration()) return false;
  const Step step = Next(remaining);
  if (step.yield) {
    ::sched_yield();
    return true;
  }
  const struct timespec pause = absl::ToTimespec(step.sleep);
  // EINTR (a signal's handler ran) ends the sleep early: the caller tries
  // again sooner, nothing else. The mask and handlers are the program's.
  ::clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, nullptr);
  return true;
}

}  // namespace ipcbox
