// The graceful-shutdown tour scenario (//examples/signal:tour_scenario)
// passes: it runs the seed's shutdown between real processes, with short
// sleeps, and checks the transcript against the seed's output itself; this
// test keeps it passing on every architecture (the scenario only forks, so
// it runs under qemu-user too).

#include "examples/signal/tour_signal.h"
#include "gtest/gtest.h"
#include "tests/support/tour_scenario.h"

TEST(ShutdownTourTest, ScenarioVerifies) {
  ipcbox::testing::ExpectScenarioVerifies(ipcbox::examples::RunShutdownTour);
}
