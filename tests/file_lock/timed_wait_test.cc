// How LockFor()/LockUntil() wait when the lock is taken (lib/core's
// README.md, "Waiting with a deadline"): by trying again with a back-off,
// never by a signal. So a program that blocks every signal and reads them
// from a signalfd (lib/signal) keeps all of them, SIGRTMIN + 4 included
// (the old timer signal); no disposition or mask changes; a signal whose
// handler interrupts a sleep does not end the wait early; and the lock is
// taken when the holder lets go mid-wait. Each backend.

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <thread>  // NOLINT(build/c++11)
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"

namespace ipcbox::testing {
namespace {

// Generous: a bound against a wait that never ends, not a speed test.
constexpr absl::Duration kLateBound = absl::Seconds(5);

template <typename LockT>
class TimedWaitTest : public ::testing::Test {
 protected:
  TimedWaitTest() : file_("timed_wait") {}

  void SetUp() override {
    absl::StatusOr<LockHolder<LockT>> holder =
        LockHolder<LockT>::Start(file_.path(), LockType::kExclusive);
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_.emplace(*std::move(holder));
    absl::StatusOr<LockT> waiter = LockT::Open(file_.path());
    ASSERT_TRUE(waiter.ok()) << waiter.status();
    waiter_ = *std::move(waiter);
  }

  void TearDown() override {
    if (holder_.has_value()) EXPECT_TRUE(ExitedWith(holder_->Release(), 0));
  }

  TempPath file_;
  std::optional<LockHolder<LockT>> holder_;
  LockT waiter_;
};

TYPED_TEST_SUITE(TimedWaitTest, LockBackends, LockBackendNames);

// Every signal's disposition, to compare before and after.
std::vector<struct sigaction> Dispositions() {
  std::vector<struct sigaction> all(SIGRTMAX + 1);
  for (int signo = 1; signo <= SIGRTMAX; ++signo) {
    ::sigaction(signo, nullptr, &all[signo]);
  }
  return all;
}

bool SameDisposition(const struct sigaction& a, const struct sigaction& b) {
  return a.sa_handler == b.sa_handler && a.sa_flags == b.sa_flags;
}

bool SameMask(const sigset_t& a, const sigset_t& b) {
  for (int signo = 1; signo <= SIGRTMAX; ++signo) {
    if (sigismember(&a, signo) != sigismember(&b, signo)) return false;
  }
  return true;
}

// Blocks every signal in the calling thread for the object's life, as a
// program that reads its signals from a signalfd does in every thread.
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    ok_ = ::pthread_sigmask(SIG_SETMASK, &all, &old_) == 0;
  }
  ~AllSignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  bool ok() const { return ok_; }

 private:
  sigset_t old_;
  bool ok_ = false;
};

TYPED_TEST(TimedWaitTest, ASignalfdProgramKeepsEverySignalAndTimesOutOnTime) {
  AllSignalsBlocked blocked;
  ASSERT_TRUE(blocked.ok());
  // The signal the old implementation took for its timer, and one other.
  const int timer_signal = SIGRTMIN + 4;
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, timer_signal);
  sigaddset(&watched, SIGUSR1);
  Fd signal_fd(::signalfd(-1, &watched, SFD_NONBLOCK | SFD_CLOEXEC));
  ASSERT_TRUE(signal_fd.valid()) << "signalfd: errno " << errno;
  const std::vector<struct sigaction> dispositions_before = Dispositions();
  sigset_t mask_before;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, nullptr, &mask_before), 0);

  // Sent to the process while the thread waits: it must stay pending for
  // the signalfd, not land in a handler. The sender inherits the full mask.
  std::thread sender([&] {
    ::usleep(50 * 1000);
    ::kill(::getpid(), timer_signal);
    ::kill(::getpid(), SIGUSR1);
  });
  const absl::Duration timeout = absl::Milliseconds(250);
  Stopwatch stopwatch;
  const absl::Status s = this->waiter_.LockFor(LockType::kExclusive, timeout);
  const absl::Duration waited = stopwatch.Elapsed();
  sender.join();

  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(waited, timeout) << "returned early";
  EXPECT_LT(waited, timeout + kLateBound);
  sigset_t mask_after;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, nullptr, &mask_after), 0);
  EXPECT_TRUE(SameMask(mask_before, mask_after)) << "the mask changed";
  const std::vector<struct sigaction> dispositions_after = Dispositions();
  for (int signo = 1; signo <= SIGRTMAX; ++signo) {
    EXPECT_TRUE(
        SameDisposition(dispositions_before[signo], dispositions_after[signo]))
        << "the disposition of signal " << signo << " changed";
  }
  bool got_timer_signal = false;
  bool got_usr1 = false;
  struct signalfd_siginfo info;
  while (::read(signal_fd.get(), &info, sizeof(info)) ==
         static_cast<ssize_t>(sizeof(info))) {
    if (static_cast<int>(info.ssi_signo) == timer_signal) {
      got_timer_signal = true;
    }
    if (info.ssi_signo == SIGUSR1) got_usr1 = true;
  }
  EXPECT_TRUE(got_timer_signal) << "SIGRTMIN+4 did not reach the signalfd";
  EXPECT_TRUE(got_usr1) << "SIGUSR1 did not reach the signalfd";
}

void DoNothing(int) {}

TYPED_TEST(TimedWaitTest, EintrInASleepDoesNotEndTheWaitEarly) {
  // SIGUSR2 every millisecond, handled without SA_RESTART: it cuts the
  // back-off's sleeps short. The wait must go on until its deadline.
  struct sigaction usr2 = {};
  usr2.sa_handler = &DoNothing;
  sigemptyset(&usr2.sa_mask);
  struct sigaction old_usr2;
  ASSERT_EQ(::sigaction(SIGUSR2, &usr2, &old_usr2), 0);
  timer_t timer;
  struct sigevent event = {};
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = SIGUSR2;
  ASSERT_EQ(::timer_create(CLOCK_MONOTONIC, &event, &timer), 0);
  const struct itimerspec every_ms = {{0, 1000 * 1000}, {0, 1000 * 1000}};
  ASSERT_EQ(::timer_settime(timer, 0, &every_ms, nullptr), 0);

  const absl::Duration timeout = absl::Milliseconds(150);
  Stopwatch stopwatch;
  const absl::Status s = this->waiter_.LockFor(LockType::kExclusive, timeout);
  const absl::Duration waited = stopwatch.Elapsed();
  ::timer_delete(timer);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(waited, timeout) << "returned early";
  EXPECT_LT(waited, timeout + kLateBound);
}

TYPED_TEST(TimedWaitTest, TakesTheLockWhenTheHolderLetsGoMidWait) {
  // Long enough for the back-off to reach its longest sleep first.
  std::thread releaser([&] {
    ::usleep(100 * 1000);
    this->holder_->SignalRelease();
  });
  Stopwatch stopwatch;
  const absl::Status s =
      this->waiter_.LockFor(LockType::kExclusive, absl::Seconds(30));
  const absl::Duration waited = stopwatch.Elapsed();
  releaser.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_LT(waited, kLateBound);
  EXPECT_TRUE(ExitedWith(this->holder_->child().Wait(absl::Seconds(30)), 0));
  this->holder_.reset();
}

}  // namespace
}  // namespace ipcbox::testing
