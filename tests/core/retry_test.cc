#include "ipcbox/core/retry.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>

#include "gtest/gtest.h"

namespace ipcbox {
namespace {

TEST(RetryOnEintrTest, RetriesEintrUntilSuccess) {
  int calls = 0;
  const int result = RetryOnEintr([&] {
    ++calls;
    if (calls <= 2) {
      errno = EINTR;
      return -1;
    }
    return 42;
  });
  EXPECT_EQ(result, 42);
  EXPECT_EQ(calls, 3);
}

TEST(RetryOnEintrTest, DoesNotRetryOtherErrorsAndKeepsErrno) {
  int calls = 0;
  const int result = RetryOnEintr([&] {
    ++calls;
    errno = EAGAIN;
    return -1;
  });
  EXPECT_EQ(result, -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(calls, 1);
}

TEST(RetryOnEintrTest, DoesNotRetryOtherNegativeResults) {
  // Only -1 signals failure; a stale EINTR in errno must not cause a retry.
  int calls = 0;
  errno = EINTR;
  const int result = RetryOnEintr([&] {
    ++calls;
    return -2;
  });
  EXPECT_EQ(result, -2);
  EXPECT_EQ(calls, 1);
}

TEST(RetryOnEintrTest, SuccessWithStaleEintrInErrnoIsNotRetried) {
  int calls = 0;
  errno = EINTR;
  EXPECT_EQ(RetryOnEintr([&] { return ++calls; }), 1);
}

TEST(RetryOnEintrTest, KeepsTheResultType) {
  auto int_call = [] { return 0; };
  auto ssize_call = [] { return ssize_t{7}; };
  static_assert(std::is_same_v<decltype(RetryOnEintr(int_call)), int>);
  static_assert(std::is_same_v<decltype(RetryOnEintr(ssize_call)), ssize_t>);
  EXPECT_EQ(RetryOnEintr(ssize_call), ssize_t{7});
}

TEST(RetryOnEintrTest, RetriesEintrWithSsizeT) {
  int calls = 0;
  const ssize_t result = RetryOnEintr([&]() -> ssize_t {
    if (++calls == 1) {
      errno = EINTR;
      return -1;
    }
    return ssize_t{1} << 20;
  });
  EXPECT_EQ(result, ssize_t{1} << 20);
  EXPECT_EQ(calls, 2);
}

// --- A real EINTR from the kernel ------------------------------------------

volatile sig_atomic_t g_alarms = 0;

void CountAlarm(int) { g_alarms = g_alarms + 1; }

// Installs a SIGALRM handler WITHOUT SA_RESTART, so that a blocked read()
// returns EINTR instead of being restarted by the kernel, and arms a
// repeating timer. The handler, the timer and the signal mask are restored
// on destruction, also when an assertion fails.
class ScopedInterruptingAlarm {
 public:
  explicit ScopedInterruptingAlarm(long interval_us) {
    struct sigaction action = {};
    action.sa_handler = CountAlarm;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // Deliberately no SA_RESTART.
    EXPECT_EQ(::sigaction(SIGALRM, &action, &old_action_), 0);

    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    EXPECT_EQ(::sigprocmask(SIG_UNBLOCK, &alarm_only, &old_mask_), 0);

    struct itimerval timer = {};
    timer.it_value.tv_usec = interval_us;
    timer.it_interval.tv_usec = interval_us;
    EXPECT_EQ(::setitimer(ITIMER_REAL, &timer, &old_timer_), 0);
  }

  ~ScopedInterruptingAlarm() {
    struct itimerval off = {};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &old_action_, nullptr);
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    ::setitimer(ITIMER_REAL, &old_timer_, nullptr);
  }

 private:
  struct sigaction old_action_;
  sigset_t old_mask_;
  struct itimerval old_timer_;
};

TEST(RetryOnEintrTest, RetriesARealReadInterruptedBySignal) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);

  g_alarms = 0;
  int calls = 0;
  ssize_t result;
  char byte = 0;
  {
    // Every 10 ms a SIGALRM interrupts whatever read() is blocked on the
    // empty pipe, so the first read cannot complete in any other way: it
    // must come back with EINTR. The retry then finds the byte that the
    // writer (this callable, before its second read) put in the pipe and
    // returns at once. Deterministic: exactly two calls, bounded by the
    // timer, whatever the scheduling.
    ScopedInterruptingAlarm alarm(10 * 1000);
    result = RetryOnEintr([&] {
      if (++calls == 2) {
        const char x = 'x';
        if (::write(fds[1], &x, 1) != 1) return ssize_t{-2};
      }
      return ::read(fds[0], &byte, 1);
    });
  }
  ::close(fds[0]);
  ::close(fds[1]);

  EXPECT_EQ(result, 1);
  EXPECT_EQ(byte, 'x');
  EXPECT_EQ(calls, 2);
  EXPECT_GE(g_alarms, 1);
}

}  // namespace
}  // namespace ipcbox
