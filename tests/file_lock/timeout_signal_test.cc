// The timer signal behind LockFor()/LockUntil() (timeout_signal.h): it is
// installed on first use, refuses to take over a signal the program handles
// itself, works when the waiting thread blocks the signal (and leaves the
// mask and nothing pending behind), and can be changed.

#include "ipcbox/file_lock/timeout_signal.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <thread>  // NOLINT(build/c++11)
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/internal/interrupt_timer.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitResult;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::kPeerTimeout;
using ::ipcbox::testing::Outcome;
using ::ipcbox::testing::OutcomeOf;
using ::ipcbox::testing::Stopwatch;
using ::ipcbox::testing::TempPath;
using ::testing::HasSubstr;

// Two OFD locks on one file in this process: `holder_` holds it, `waiter_`
// waits for it. OFD locks conflict within a process, so no child is needed.
class TimeoutSignalTest : public ::testing::Test {
 protected:
  TimeoutSignalTest() : file_("timeout_signal") {}

  void SetUp() override {
    absl::StatusOr<OfdLock> holder = OfdLock::Open(file_.path());
    absl::StatusOr<OfdLock> waiter = OfdLock::Open(file_.path());
    ASSERT_TRUE(holder.ok() && waiter.ok());
    holder_ = *std::move(holder);
    waiter_ = *std::move(waiter);
    ASSERT_TRUE(holder_.Lock(LockType::kExclusive).ok());
  }

  TempPath file_;
  OfdLock holder_;
  OfdLock waiter_;
};

void NotOurs(int) {}

bool HandlerInstalled(int signo) {
  struct sigaction action;
  return ::sigaction(signo, nullptr, &action) == 0 &&
         action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
}

// Times out `lock.LockFor()` until one call has armed the timer (and so
// installed the handler). On a loaded machine a short timeout can pass
// before the first attempt returns, and then no timer is needed.
template <typename LockT>
bool TimeOutUntilHandlerInstalled(LockT& lock, int signo) {
  for (int i = 0; i < 20 && !HandlerInstalled(signo); ++i) {
    if (!IsTimedOut(
            lock.LockFor(LockType::kExclusive, absl::Milliseconds(100)))) {
      return false;
    }
  }
  return HandlerInstalled(signo);
}

TEST_F(TimeoutSignalTest, DefaultIsARealTimeSignal) {
  EXPECT_GE(LockTimeoutSignal(), SIGRTMIN);
  EXPECT_LE(LockTimeoutSignal(), SIGRTMAX);
}

TEST_F(TimeoutSignalTest, HandlerIsInstalledByTheFirstWaitThatBlocks) {
  ASSERT_TRUE(TimeOutUntilHandlerInstalled(waiter_, LockTimeoutSignal()));
  struct sigaction action;
  ASSERT_EQ(::sigaction(LockTimeoutSignal(), nullptr, &action), 0);
  EXPECT_EQ(action.sa_flags & SA_RESTART, 0) << "must interrupt, not restart";
}

TEST_F(TimeoutSignalTest, ASignalTheProgramHandlesIsNotTakenOver) {
  const int signo = LockTimeoutSignal();
  struct sigaction ours;
  ASSERT_EQ(::sigaction(signo, nullptr, &ours), 0);
  struct sigaction program = {};
  program.sa_handler = &NotOurs;
  sigemptyset(&program.sa_mask);
  ASSERT_EQ(::sigaction(signo, &program, nullptr), 0);

  // Refused when arming the timer, so a long timeout costs nothing.
  const absl::Status s =
      waiter_.LockFor(LockType::kExclusive, absl::Seconds(30));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("SetLockTimeoutSignal"));
  struct sigaction after;
  ASSERT_EQ(::sigaction(signo, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, &NotOurs) << "the program's handler was replaced";
  // A free lock needs no timer, so it is still taken.
  ASSERT_TRUE(holder_.Unlock().ok());
  EXPECT_TRUE(waiter_.LockFor(LockType::kExclusive, absl::Seconds(1)).ok());

  ASSERT_EQ(::sigaction(signo, &ours, nullptr), 0);
}

TEST_F(TimeoutSignalTest, AnIgnoredSignalIsTakenOver) {
  const int signo = LockTimeoutSignal();
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(::sigaction(signo, &ignore, nullptr), 0);
  EXPECT_TRUE(TimeOutUntilHandlerInstalled(waiter_, signo));
}

TEST_F(TimeoutSignalTest, WorksWhenTheThreadBlocksTheSignal) {
  const int signo = LockTimeoutSignal();
  sigset_t just_it;
  sigemptyset(&just_it);
  sigaddset(&just_it, signo);
  sigset_t old_mask;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &just_it, &old_mask), 0);

  Stopwatch stopwatch;
  const absl::Status s =
      waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(100));
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(stopwatch.Elapsed(), absl::Milliseconds(100));

  sigset_t now;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, nullptr, &now), 0);
  EXPECT_EQ(sigismember(&now, signo), 1) << "the mask was not restored";
  sigset_t pending;
  ASSERT_EQ(::sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, signo), 0) << "a timer signal was left";
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr), 0);
}

TEST_F(TimeoutSignalTest, NoSignalArrivesAfterTheWait) {
  ASSERT_TRUE(IsTimedOut(
      waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(20))));
  // The timer repeats every millisecond after the deadline until deleted: a
  // leftover would interrupt this sleep.
  struct timespec nap = {0, 50 * 1000 * 1000};
  EXPECT_EQ(::nanosleep(&nap, nullptr), 0) << "interrupted: " << errno;
}

TEST_F(TimeoutSignalTest, OtherSignalsDoNotEndTheWaitEarly) {
  // SIGUSR2 with a handler and no SA_RESTART interrupts the blocking call;
  // the wait must resume rather than report a timeout or an error.
  struct sigaction usr2 = {};
  usr2.sa_handler = &NotOurs;
  sigemptyset(&usr2.sa_mask);
  struct sigaction old_usr2;
  ASSERT_EQ(::sigaction(SIGUSR2, &usr2, &old_usr2), 0);
  timer_t timer;
  struct sigevent event = {};
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = SIGUSR2;
  ASSERT_EQ(::timer_create(CLOCK_MONOTONIC, &event, &timer), 0);
  struct itimerspec every_10ms = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}};
  ASSERT_EQ(::timer_settime(timer, 0, &every_10ms, nullptr), 0);

  Stopwatch stopwatch;
  const absl::Status s =
      waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(150));
  const absl::Duration waited = stopwatch.Elapsed();
  ::timer_delete(timer);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(waited, absl::Milliseconds(150));
}

// POSIX timers of this process (/proc/<pid>/timers), or -1 if the kernel
// does not list them (it needs CONFIG_CHECKPOINT_RESTORE).
int ProcessTimerCount() {
  std::ifstream timers("/proc/self/timers");
  if (!timers.is_open()) return -1;
  int count = 0;
  for (std::string line; std::getline(timers, line);) {
    if (line.rfind("ID:", 0) == 0) ++count;
  }
  return count;
}

TEST_F(TimeoutSignalTest, AThreadKeepsOneTimerAndDeletesItAtExit) {
  const int before = ProcessTimerCount();
  if (before < 0) GTEST_SKIP() << "/proc/self/timers is not available";
  int during = -1;
  Outcome outcome = Outcome::kOk;
  std::thread waiter_thread([&] {
    for (int i = 0; i < 3; ++i) {
      outcome = OutcomeOf(
          waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(5)));
      if (outcome != Outcome::kTimedOut) return;
    }
    during = ProcessTimerCount();
  });
  waiter_thread.join();
  ASSERT_EQ(outcome, Outcome::kTimedOut);
  EXPECT_EQ(during, before + 1) << "one timer per thread, reused by each wait";
  EXPECT_EQ(ProcessTimerCount(), before) << "the thread's timer outlived it";
}

TEST_F(TimeoutSignalTest, AForkedChildWaitsWithATimerOfItsOwn) {
  // This thread has a timer now; the child gets a copy of the thread's
  // state but not the timer, and must make its own.
  ASSERT_TRUE(IsTimedOut(
      waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(5))));
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    const absl::Status s =
        waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(50));
    if (!IsTimedOut(s)) std::fprintf(stderr, "child: %s\n", s.ToString().c_str());
    return IsTimedOut(s) ? 0 : 1;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const ExitResult result = child->Wait(kPeerTimeout);
  EXPECT_TRUE(result.exited && result.exit_code == 0) << result.Describe();
  // And the parent's timer still works.
  EXPECT_TRUE(IsTimedOut(
      waiter_.LockFor(LockType::kExclusive, absl::Milliseconds(5))));
}

TEST_F(TimeoutSignalTest, ANestedTimedWaitLeavesTheOuterTimerArmed) {
  // As when a signal handler makes a timed wait while the thread waits.
  file_lock_internal::InterruptTimer outer;
  ASSERT_TRUE(outer.Arm(Deadline::After(absl::Milliseconds(300))).ok());
  {
    file_lock_internal::InterruptTimer inner;
    ASSERT_TRUE(inner.Arm(Deadline::After(absl::Milliseconds(10))).ok());
    struct timespec nap = {5, 0};
    EXPECT_EQ(::nanosleep(&nap, nullptr), -1) << "the inner timer never fired";
  }
  // Anything the inner timer left pending was delivered when it ended; the
  // outer one must still interrupt this sleep at its own deadline.
  Stopwatch stopwatch;
  struct timespec nap = {5, 0};
  EXPECT_EQ(::nanosleep(&nap, nullptr), -1) << "the outer timer was disarmed";
  EXPECT_LT(stopwatch.Elapsed(), absl::Seconds(4));
}

TEST(SetLockTimeoutSignalTest, AcceptsRealTimeAndUserSignalsOnly) {
  const int original = LockTimeoutSignal();
  EXPECT_TRUE(SetLockTimeoutSignal(SIGRTMIN + 7).ok());
  EXPECT_EQ(LockTimeoutSignal(), SIGRTMIN + 7);
  EXPECT_TRUE(SetLockTimeoutSignal(SIGUSR1).ok());
  for (int bad : {0, -1, SIGKILL, SIGSTOP, SIGSEGV, SIGINT, SIGCHLD, 1000}) {
    const absl::Status s = SetLockTimeoutSignal(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(LockTimeoutSignal(), SIGUSR1) << "a rejected signal changed it";
  EXPECT_TRUE(SetLockTimeoutSignal(original).ok());
}

TEST(SetLockTimeoutSignalTest, TimedWaitsUseTheChosenSignal) {
  const int original = LockTimeoutSignal();
  const int chosen = SIGRTMIN + 6;
  ASSERT_TRUE(SetLockTimeoutSignal(chosen).ok());
  TempPath file("timeout_signal_chosen");
  absl::StatusOr<FlockLock> holder = FlockLock::Open(file.path());
  absl::StatusOr<FlockLock> waiter = FlockLock::Open(file.path());
  ASSERT_TRUE(holder.ok() && waiter.ok());
  ASSERT_TRUE(holder->Lock(LockType::kExclusive).ok());
  EXPECT_TRUE(TimeOutUntilHandlerInstalled(*waiter, chosen))
      << "handler not installed on the chosen signal";
  EXPECT_TRUE(SetLockTimeoutSignal(original).ok());
}

}  // namespace
}  // namespace ipcbox
