// The one check a test makes of a tour scenario (examples/tour/scenario.h):
// that it runs and verifies. A scenario checks what happened itself; its
// test only keeps it passing on every architecture:
//
//   TEST(ChannelTourTest, Verifies) {
//     ipcbox::testing::ExpectScenarioVerifies(RunChannelTour);
//   }
//
// A template on the report type, so that this header needs nothing from
// examples/ (whose tour library is visible to examples/ only).

#ifndef IPCBOX_TESTS_SUPPORT_TOUR_SCENARIO_H_
#define IPCBOX_TESTS_SUPPORT_TOUR_SCENARIO_H_

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ipcbox::testing {

template <typename Report>
void ExpectScenarioVerifies(absl::Status (*run)(Report& report)) {
  Report report;
  const absl::Status status = run(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_TOUR_SCENARIO_H_
