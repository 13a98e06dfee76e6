// Elapsed time on CLOCK_MONOTONIC, for tests that check a call waited (or
// did not wait) about as long as it should; absl::Now() is the wall clock,
// which can jump.
//
//   ipcbox::testing::Stopwatch watch;
//   EXPECT_TRUE(IsTimedOut(reader.ReadFor(buf, absl::Milliseconds(200))));
//   EXPECT_GE(watch.Elapsed(), absl::Milliseconds(200));

#ifndef IPCBOX_TESTS_SUPPORT_STOPWATCH_H_
#define IPCBOX_TESTS_SUPPORT_STOPWATCH_H_

#include <time.h>

#include "absl/time/time.h"

namespace ipcbox::testing {

class Stopwatch {
 public:
  Stopwatch() : start_(Now()) {}

  absl::Duration Elapsed() const { return Now() - start_; }

 private:
  static absl::Duration Now() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return absl::DurationFromTimespec(ts);
  }

  absl::Duration start_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_STOPWATCH_H_
