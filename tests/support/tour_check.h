// Runs one scenario of the tour (examples/tour/scenario.h) as a test, which
// fails with the scenario's status unless the scenario verified what the
// seed prints. Templated on the report type so that test support needs
// nothing from examples/ (the test brings its scenario):
//
//   TEST(PipeTourTest, Verifies) { ExpectTourScenarioVerifies(&RunPipeTour); }

#ifndef IPCBOX_TESTS_SUPPORT_TOUR_CHECK_H_
#define IPCBOX_TESTS_SUPPORT_TOUR_CHECK_H_

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ipcbox::testing {

template <typename Report>
void ExpectTourScenarioVerifies(absl::Status (*run)(Report&)) {
  Report report;
  const absl::Status status = run(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_TOUR_CHECK_H_
