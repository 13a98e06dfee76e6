#include "tests/support/time_scale.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

// Sets IPCBOX_TIME_SCALE for one test and restores what the run had.
class ScopedTimeScale {
 public:
  explicit ScopedTimeScale(const char* value) {
    if (const char* old = ::getenv("IPCBOX_TIME_SCALE")) saved_ = old;
    if (value == nullptr) {
      ::unsetenv("IPCBOX_TIME_SCALE");
    } else {
      ::setenv("IPCBOX_TIME_SCALE", value, 1);
    }
  }
  ~ScopedTimeScale() {
    if (saved_.has_value()) {
      ::setenv("IPCBOX_TIME_SCALE", saved_->c_str(), 1);
    } else {
      ::unsetenv("IPCBOX_TIME_SCALE");
    }
  }

 private:
  std::optional<std::string> saved_;
};

TEST(TimeScaleTest, UnsetOrEmptyIsOne) {
  EXPECT_EQ(*ParseTimeScale(nullptr), 1.0);
  EXPECT_EQ(*ParseTimeScale(""), 1.0);
  ScopedTimeScale unset(nullptr);
  EXPECT_EQ(Scaled(absl::Seconds(60)), absl::Seconds(60));
}

TEST(TimeScaleTest, StretchesBounds) {
  EXPECT_EQ(*ParseTimeScale("3"), 3.0);
  EXPECT_EQ(*ParseTimeScale("2.5"), 2.5);
  ScopedTimeScale three("3");
  EXPECT_EQ(TimeScale(), 3.0);
  EXPECT_EQ(Scaled(absl::Seconds(60)), absl::Seconds(180));
  EXPECT_EQ(Scaled(absl::Milliseconds(10)), absl::Milliseconds(30));
  EXPECT_EQ(Scaled(absl::InfiniteDuration()), absl::InfiniteDuration());
}

TEST(TimeScaleTest, RejectsWhatIsNotAScale) {
  for (const char* bad : {"0", "0.5", "-2", "101", "3x", "abc", "nan", "inf"}) {
    absl::StatusOr<double> scale = ParseTimeScale(bad);
    EXPECT_EQ(scale.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(scale.status().message().find("IPCBOX_TIME_SCALE"),
              std::string::npos)
        << scale.status();
  }
}

TEST(TimeScaleDeathTest, ABadValueAbortsTheTest) {
  ScopedTimeScale bad("fast");
  EXPECT_DEATH(Scaled(absl::Seconds(1)), "IPCBOX_TIME_SCALE is 'fast'");
}

// A scaled bound is still a bound: a hung child fails the wait, after the
// stretched time and not before.
TEST(TimeScaleTest, AHangStillTimesOut) {
  ScopedTimeScale two("2");
  absl::StatusOr<ChildProcess> child = ForkChild([] {
    for (;;) ::pause();
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const absl::Time start = absl::Now();
  ExitResult result = child->Wait(absl::Milliseconds(150));
  EXPECT_TRUE(result.timed_out) << result;
  EXPECT_TRUE(result.killed_by(SIGKILL)) << result;
  EXPECT_EQ(result.waited, absl::Milliseconds(300));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

}  // namespace
}  // namespace ipcbox::testing
