#include "ipcbox/core/deadline.h"

#include <time.h>

#include <climits>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

absl::Duration ClockNow(clockid_t clock) {
  struct timespec ts;
  EXPECT_EQ(::clock_gettime(clock, &ts), 0);
  return absl::DurationFromTimespec(ts);
}

absl::Duration MonotonicNow() { return ClockNow(CLOCK_MONOTONIC); }

// The largest time a timespec can hold on this target (time_t is 32 bits on
// some ARM configurations).
constexpr time_t kMaxTimeT = std::numeric_limits<time_t>::max();

TEST(DeadlineTest, AfterIsNotExpiredBeforeItsTime) {
  // Only assert when the check really ran within 10 ms; a machine that
  // paused this process longer cannot tell us anything here.
  const absl::Duration start = MonotonicNow();
  const Deadline deadline = Deadline::After(absl::Milliseconds(10));
  const bool expired = deadline.expired();
  const absl::Duration remaining = deadline.Remaining();
  if (MonotonicNow() - start < absl::Milliseconds(10)) {
    EXPECT_FALSE(expired);
    EXPECT_GT(remaining, absl::ZeroDuration());
  }
  EXPECT_LE(remaining, absl::Milliseconds(10));
}

TEST(DeadlineTest, LongDeadlineIsNotExpired) {
  const Deadline deadline = Deadline::After(absl::Hours(1));
  EXPECT_FALSE(deadline.expired());
  EXPECT_FALSE(deadline.is_infinite());
  EXPECT_GT(deadline.Remaining(), absl::Minutes(59));
  EXPECT_LE(deadline.Remaining(), absl::Hours(1));
}

TEST(DeadlineTest, AfterExpiresOnceTheTimeHasPassed) {
  const Deadline deadline = Deadline::After(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_TRUE(deadline.expired());
  EXPECT_EQ(deadline.Remaining(), absl::ZeroDuration());
  EXPECT_EQ(deadline.PollTimeoutMs(), 0);
}

TEST(DeadlineTest, ZeroAndNegativeTimeoutsAreExpiredAtOnce) {
  for (absl::Duration timeout :
       {absl::ZeroDuration(), absl::Nanoseconds(-1), absl::Seconds(-5),
        -absl::InfiniteDuration()}) {
    const Deadline deadline = Deadline::After(timeout);
    EXPECT_TRUE(deadline.expired()) << timeout;
    EXPECT_FALSE(deadline.is_infinite()) << timeout;
    EXPECT_EQ(deadline.Remaining(), absl::ZeroDuration()) << timeout;
    EXPECT_EQ(deadline.PollTimeoutMs(), 0) << timeout;
  }
}

TEST(DeadlineTest, InfiniteTimeoutGivesInfiniteDeadline) {
  EXPECT_TRUE(Deadline::After(absl::InfiniteDuration()).is_infinite());
}

TEST(DeadlineTest, AbsurdlyLongTimeoutIsInfinite) {
  // Finite, but now + timeout does not fit: it saturates to infinite.
  const Deadline deadline =
      Deadline::After(absl::Seconds(std::numeric_limits<int64_t>::max()));
  EXPECT_TRUE(deadline.is_infinite());
}

TEST(DeadlineTest, Infinite) {
  const Deadline deadline = Deadline::Infinite();
  EXPECT_TRUE(deadline.is_infinite());
  EXPECT_FALSE(deadline.expired());
  EXPECT_EQ(deadline.Remaining(), absl::InfiniteDuration());
  EXPECT_EQ(deadline.PollTimeoutMs(), -1);
  EXPECT_EQ(deadline.MonotonicTimespec().tv_sec, kMaxTimeT);
  EXPECT_EQ(deadline.RealtimeTimespec().tv_sec, kMaxTimeT);
  EXPECT_EQ(deadline.RelativeTimespec().tv_sec, kMaxTimeT);
}

TEST(DeadlineTest, Expired) {
  const Deadline deadline = Deadline::Expired();
  EXPECT_FALSE(deadline.is_infinite());
  EXPECT_TRUE(deadline.expired());
  EXPECT_EQ(deadline.Remaining(), absl::ZeroDuration());
  EXPECT_EQ(deadline.PollTimeoutMs(), 0);
  const struct timespec relative = deadline.RelativeTimespec();
  EXPECT_EQ(relative.tv_sec, 0);
  EXPECT_EQ(relative.tv_nsec, 0);
  // In the past on the monotonic clock, so a timed wait returns at once.
  EXPECT_LE(absl::DurationFromTimespec(deadline.MonotonicTimespec()),
            MonotonicNow());
}

TEST(DeadlineTest, RemainingNeverNegative) {
  const Deadline deadline = Deadline::After(absl::Microseconds(1));
  absl::SleepFor(absl::Milliseconds(2));
  EXPECT_EQ(deadline.Remaining(), absl::ZeroDuration());
  const struct timespec relative = deadline.RelativeTimespec();
  EXPECT_EQ(relative.tv_sec, 0);
  EXPECT_EQ(relative.tv_nsec, 0);
}

TEST(DeadlineTest, PollTimeoutOfAMicrosecondDeadlineRoundsUp) {
  // 1 if asked within the microsecond, 0 if it has already passed; never
  // a timeout that makes poll() return before the deadline.
  const int ms = Deadline::After(absl::Microseconds(1)).PollTimeoutMs();
  EXPECT_TRUE(ms == 1 || ms == 0) << ms;
}

TEST(DeadlineTest, PollTimeoutOfALongDeadlineRoundsUp) {
  // 1000 ms and 1 ns left: 1001 at once, 1000 only after 1 ns has passed.
  const int ms =
      Deadline::After(absl::Seconds(1) + absl::Nanoseconds(1)).PollTimeoutMs();
  EXPECT_TRUE(ms == 1001 || ms == 1000) << ms;
}

TEST(ToPollTimeoutMsTest, RoundsUpToWholeMilliseconds) {
  EXPECT_EQ(ToPollTimeoutMs(absl::Nanoseconds(1)), 1);
  EXPECT_EQ(ToPollTimeoutMs(absl::Microseconds(1)), 1);
  EXPECT_EQ(ToPollTimeoutMs(absl::Microseconds(999)), 1);
  EXPECT_EQ(ToPollTimeoutMs(absl::Milliseconds(1)), 1);
  EXPECT_EQ(ToPollTimeoutMs(absl::Milliseconds(1) + absl::Nanoseconds(1)), 2);
  EXPECT_EQ(ToPollTimeoutMs(absl::Seconds(2)), 2000);
}

TEST(ToPollTimeoutMsTest, ZeroNegativeAndInfinite) {
  EXPECT_EQ(ToPollTimeoutMs(absl::ZeroDuration()), 0);
  EXPECT_EQ(ToPollTimeoutMs(absl::Milliseconds(-3)), 0);
  EXPECT_EQ(ToPollTimeoutMs(-absl::InfiniteDuration()), 0);
  EXPECT_EQ(ToPollTimeoutMs(absl::InfiniteDuration()), -1);
}

TEST(ToPollTimeoutMsTest, ClampsToIntMax) {
  EXPECT_EQ(ToPollTimeoutMs(absl::Milliseconds(INT_MAX)), INT_MAX);
  EXPECT_EQ(ToPollTimeoutMs(absl::Milliseconds(INT_MAX) - absl::Nanoseconds(1)),
            INT_MAX);
  EXPECT_EQ(
      ToPollTimeoutMs(absl::Milliseconds(INT_MAX) - absl::Milliseconds(1)),
      INT_MAX - 1);
  EXPECT_EQ(ToPollTimeoutMs(absl::Hours(24 * 365 * 100)), INT_MAX);
}

TEST(DeadlineTest, MonotonicTimespecIsTimeoutAfterCreation) {
  const absl::Duration before = MonotonicNow();
  const Deadline deadline = Deadline::After(absl::Seconds(5));
  const absl::Duration after = MonotonicNow();
  const struct timespec ts = deadline.MonotonicTimespec();
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1000000000L);
  const absl::Duration when = absl::DurationFromTimespec(ts);
  EXPECT_GE(when, before + absl::Seconds(5));
  EXPECT_LE(when, after + absl::Seconds(5));
}

TEST(DeadlineTest, RealtimeTimespecIsTheSameMomentOnTheWallClock) {
  // Assumes nobody steps the wall clock during the test.
  const absl::Duration before = ClockNow(CLOCK_REALTIME);
  const Deadline deadline = Deadline::After(absl::Seconds(5));
  const struct timespec ts = deadline.RealtimeTimespec();
  const absl::Duration after = ClockNow(CLOCK_REALTIME);
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1000000000L);
  const absl::Duration when = absl::DurationFromTimespec(ts);
  // At most 5 s after the creation, and at least 5 s minus the time the
  // test took after `before`.
  EXPECT_LE(when, after + absl::Seconds(5));
  EXPECT_GE(when, before + absl::Seconds(5) - (after - before));
}

TEST(DeadlineTest, RelativeTimespecIsTheTimeLeft) {
  const absl::Duration before = MonotonicNow();
  const Deadline deadline = Deadline::After(absl::Seconds(5));
  const struct timespec ts = deadline.RelativeTimespec();
  const absl::Duration elapsed = MonotonicNow() - before;
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1000000000L);
  const absl::Duration left = absl::DurationFromTimespec(ts);
  EXPECT_LE(left, absl::Seconds(5));
  EXPECT_GE(left, absl::Seconds(5) - elapsed);
}

TEST(DeadlineTest, IsASmallTriviallyCopyableValue) {
  static_assert(std::is_trivially_copyable_v<Deadline>);
  const Deadline a = Deadline::After(absl::Seconds(1));
  const Deadline b = a;
  EXPECT_EQ(absl::DurationFromTimespec(a.MonotonicTimespec()),
            absl::DurationFromTimespec(b.MonotonicTimespec()));
}

}  // namespace
}  // namespace ipcbox
