// Backoff (backoff.h): the schedule (yields, then sleeps doubling to the
// cap), that no sleep reaches past the deadline (on a fake clock that
// advances by exactly the sleeps requested), and RetryUntil's outcomes.

#include "ipcbox/core/backoff.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace {

// Runs a whole wait of `budget` on a fake clock: each step's sleep is
// taken in full. Returns the sleeps requested, and fails the test if one
// reaches past the deadline or the wait does not end.
std::vector<absl::Duration> SleepsOfAWait(absl::Duration budget,
                                          Backoff backoff = Backoff()) {
  std::vector<absl::Duration> sleeps;
  absl::Duration remaining = budget;
  int yields = 0;
  for (int step = 0; remaining > absl::ZeroDuration(); ++step) {
    if (step > 100000) {
      ADD_FAILURE() << "a wait of " << budget << " does not end";
      break;
    }
    const Backoff::Step next = backoff.Next(remaining);
    if (next.yield) {
      ++yields;
      continue;
    }
    EXPECT_LE(next.sleep, remaining) << "sleeps past the deadline";
    EXPECT_GT(next.sleep, absl::ZeroDuration()) << "a sleep of nothing";
    sleeps.push_back(next.sleep);
    remaining -= next.sleep;
  }
  EXPECT_EQ(yields, Backoff::kYields);
  return sleeps;
}

TEST(BackoffTest, YieldsThenSleepsDoublingUpToTheCap) {
  Backoff backoff;
  for (int i = 0; i < Backoff::kYields; ++i) {
    const Backoff::Step step = backoff.Next(absl::Seconds(1));
    EXPECT_TRUE(step.yield);
    EXPECT_EQ(step.sleep, absl::ZeroDuration());
  }
  absl::Duration expected = Backoff::kFirstSleep;
  for (int i = 0; i < 20; ++i) {
    const Backoff::Step step = backoff.Next(absl::Seconds(1));
    EXPECT_FALSE(step.yield);
    EXPECT_EQ(step.sleep, expected) << "step " << i;
    expected = std::min(expected * 2, Backoff::kDefaultMaxSleep);
  }
  EXPECT_EQ(expected, Backoff::kDefaultMaxSleep);
}

TEST(BackoffTest, NoSleepReachesPastTheDeadline) {
  for (absl::Duration budget :
       {absl::Nanoseconds(1), absl::Microseconds(15), absl::Microseconds(21),
        absl::Milliseconds(1), absl::Milliseconds(37), absl::Seconds(1)}) {
    SCOPED_TRACE(budget);
    const std::vector<absl::Duration> sleeps = SleepsOfAWait(budget);
    absl::Duration total;
    for (absl::Duration d : sleeps) total += d;
    EXPECT_EQ(total, budget) << "the last sleep ends at the deadline";
  }
}

TEST(BackoffTest, TheCapBoundsHowManyTimesALongWaitWakesUp) {
  // 1 s at a 5 ms cap: ~200 wake-ups, plus the ramp.
  EXPECT_LE(SleepsOfAWait(absl::Seconds(1)).size(),
            absl::Seconds(1) / Backoff::kDefaultMaxSleep + 12);
  const std::vector<absl::Duration> capped =
      SleepsOfAWait(absl::Milliseconds(100), Backoff(absl::Milliseconds(1)));
  for (absl::Duration d : capped) EXPECT_LE(d, absl::Milliseconds(1));
}

TEST(BackoffTest, ACapBelowTheFirstSleepIsRaisedToIt) {
  Backoff backoff(absl::Nanoseconds(1));
  for (int i = 0; i < Backoff::kYields; ++i) backoff.Next(absl::Seconds(1));
  EXPECT_EQ(backoff.Next(absl::Seconds(1)).sleep, Backoff::kFirstSleep);
  EXPECT_EQ(backoff.Next(absl::Seconds(1)).sleep, Backoff::kFirstSleep);
}

TEST(BackoffTest, WaitReturnsFalseOnlyOnceTheDeadlineHasPassed) {
  Backoff expired;
  EXPECT_FALSE(expired.Wait(Deadline::Expired()));

  const Deadline deadline = Deadline::After(absl::Milliseconds(30));
  Backoff backoff;
  int steps = 0;
  while (backoff.Wait(deadline)) ++steps;
  EXPECT_TRUE(deadline.expired());
  EXPECT_GE(steps, Backoff::kYields + 1);
}

TEST(RetryUntilTest, RetriesWhileItWouldBlock) {
  int calls = 0;
  const absl::Status s =
      RetryUntil(Deadline::After(absl::Seconds(30)), [&]() -> absl::Status {
        return ++calls < 6 ? WouldBlockError() : absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 6);
}

TEST(RetryUntilTest, AnExpiredDeadlineTriesOnce) {
  int calls = 0;
  const absl::Status s = RetryUntil(Deadline::Expired(), [&] {
    ++calls;
    return WouldBlockError();
  });
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_EQ(calls, 1);
}

TEST(RetryUntilTest, AnErrorEndsTheWait) {
  int calls = 0;
  const absl::Status s = RetryUntil(Deadline::After(absl::Seconds(30)), [&] {
    ++calls;
    return absl::PermissionDeniedError("no");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(calls, 1);
}

TEST(RetryUntilTest, TimesOutAfterTheDeadline) {
  const Deadline deadline = Deadline::After(absl::Milliseconds(20));
  const absl::Status s = RetryUntil(deadline, [] { return WouldBlockError(); });
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_TRUE(deadline.expired()) << "timed out early";
}

}  // namespace
}  // namespace ipcbox
