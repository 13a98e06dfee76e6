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
// that lost the race (README.md, Timed waits) ever sees a repeat, and
// it returns at most this late.
constexpr long kRepeatNanoseconds = 1000 * 1000;  // NOLINT(runtime/int)

// The calling thread's own timer, created by its first timed wait that has
// to block and kept (disarmed between waits) until the thread exits: a
// contended timed wait then costs two timer_settime() calls instead of
// timer_create(), timer_settime() and timer_delete(), plus gettid().
struct ThreadTimer {
  ~ThreadTimer() {
    if (created) ::timer_delete(id);
  }
  timer_t id{};
  bool created = false;
  int signo = 0;       // The signal it was created for.
  bool in_use = false;  // An InterruptTimer of this thread has it armed.
};

thread_local ThreadTimer t_timer;

// A forked child runs on a copy of the forking thread's ThreadTimer, but
// POSIX timers are not inherited: forget the parent's, so that the child
// creates its own instead of arming an id that is not (or not yet) its own.
void ForgetTimerInChild() {
  t_timer.created = false;
  t_timer.in_use = false;
}

void SetTargetThread(struct sigevent& event) {
#ifdef sigev_notify_thread_id
  event.sigev_notify_thread_id = ::gettid();
#else
  event._sigev_un._tid = ::gettid();  // glibc names no accessor for it.
#endif
}

// A timer that sends `signo` to the calling thread only.
absl::Status CreateTimer(int signo, timer_t* id) {
  static const bool fork_handler_registered =
      ::pthread_atfork(nullptr, nullptr, &ForgetTimerInChild) == 0;
  if (!fork_handler_registered) {
    return absl::InternalError("pthread_atfork failed for the lock timer");
  }
  struct sigevent event = {};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = signo;
  SetTargetThread(event);
  if (::timer_create(CLOCK_MONOTONIC, &event, id) != 0) {
    return ErrnoError(errno, "timer_create", "lock timeout");
  }
  return absl::OkStatus();
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

  if (t_timer.in_use) {
    // A timed wait inside another one of this thread (from a signal
    // handler): the outer wait keeps the thread's timer, this one gets a
    // timer of its own for its duration.
    if (absl::Status s = CreateTimer(*signo, &timer_); !s.ok()) return s;
    own_timer_ = true;
  } else {
    if (t_timer.created && t_timer.signo != *signo) {
      // SetLockTimeoutSignal() chose another signal since.
      ::timer_delete(t_timer.id);
      t_timer.created = false;
    }
    if (!t_timer.created) {
      if (absl::Status s = CreateTimer(*signo, &t_timer.id); !s.ok()) return s;
      t_timer.created = true;
      t_timer.signo = *signo;
    }
    timer_ = t_timer.id;
    t_timer.in_use = true;
  }
  armed_ = true;

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
  if (own_timer_) {
    ::timer_delete(timer_);
  } else if (armed_) {
    // Disarmed, not deleted: the thread's next timed wait reuses it.
    const struct itimerspec disarm = {};
    ::timer_settime(timer_, 0, &disarm, nullptr);
    t_timer.in_use = false;
  }
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
