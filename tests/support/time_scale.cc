#include "tests/support/time_scale.h"

#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace ipcbox::testing {

// Beyond this a "scale" is more likely a typo (milliseconds?) than a board.
constexpr double kLargestScale = 100;

absl::StatusOr<double> ParseTimeScale(const char* value) {
  if (value == nullptr || *value == '\0') return 1.0;
  double scale = 0;
  // SimpleAtod also takes "nan" and "inf": the range check rejects both.
  if (!absl::SimpleAtod(value, &scale) ||
      !(scale >= 1 && scale <= kLargestScale)) {
    return absl::InvalidArgumentError(
        absl::StrCat("IPCBOX_TIME_SCALE is '", value,
                     "'; it must be a number from 1 to ", kLargestScale));
  }
  return scale;
}

double TimeScale() {
  absl::StatusOr<double> scale = ParseTimeScale(::getenv("IPCBOX_TIME_SCALE"));
  if (!scale.ok()) {
    ::fprintf(stderr, "%s\n", std::string(scale.status().message()).c_str());
    ::abort();
  }
  return *scale;
}

absl::Duration Scaled(absl::Duration bound) {
  if (bound == absl::InfiniteDuration()) return bound;
  return bound * TimeScale();
}

}  // namespace ipcbox::testing
