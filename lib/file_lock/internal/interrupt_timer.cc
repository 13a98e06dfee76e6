#include "ipcbox/file_lock/internal/interrupt_timer.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/internal/timeout_signal_handler.h"

namespace ipcbox {
namespace file_lock_internal {
namespace {

// How often the signal repeats once the deadline has passed: only a wait
// that lost the race described in timeout_signal.h ever sees a repeat, and
// it returns at most this late.
constexpr long kRepeatNanoseconds = 1000 * 1000;  // NOLINT(runtime/int)

void SetTargetThread(struct sigevent& event) {
#ifdef sigev_notify_thread_id
  event.sigev_notify_thread_id = ::gettid();
#else
  event._sigev_un._tid = ::gettid();  // glibc names no accessor for it.
#endif
}

}  // namespace

absl::Status InterruptTimer::Arm(Deadline deadline) {
  absl::StatusOr<int> signo = ReadyTimeoutSignal();
  if (!signo.ok()) return signo.status();

  sigset_t blocked;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &blocked);  // Only reads the mask.
  if (sigismember(&blocked, *signo) == 1) {
    sigset_t just_ours;
    sigemptyset(&just_ours);
    sigaddset(&just_ours, *signo);
    ::pthread_sigmask(SIG_UNBLOCK, &just_ours, nullptr);
    unblocked_signal_ = *signo;
  }

  struct sigevent event = {};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = *signo;
  SetTargetThread(event);
  if (::timer_create(CLOCK_MONOTONIC, &event, &timer_) != 0) {
    return ErrnoError(errno, "timer_create", "lock timeout");
  }
  created_ = true;

  struct itimerspec when = {};
  when.it_value = deadline.MonotonicTimespec();
  // An all-zero it_value would disarm the timer instead of firing it.
  if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) {
    when.it_value.tv_nsec = 1;
  }
  when.it_interval.tv_nsec = kRepeatNanoseconds;
  if (::timer_settime(timer_, TIMER_ABSTIME, &when, nullptr) != 0) {
    return ErrnoError(errno, "timer_settime", "lock timeout");
  }
  return absl::OkStatus();
}

InterruptTimer::~InterruptTimer() {
  const int saved_errno = errno;
  if (created_) ::timer_delete(timer_);
  if (unblocked_signal_ != 0) {
    sigset_t just_ours;
    sigemptyset(&just_ours);
    sigaddset(&just_ours, unblocked_signal_);
    ::pthread_sigmask(SIG_BLOCK, &just_ours, nullptr);
  }
  errno = saved_errno;
}

}  // namespace file_lock_internal
}  // namespace ipcbox
