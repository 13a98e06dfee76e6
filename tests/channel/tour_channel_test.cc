// The tour's channel scenario (examples/channel) verifies end to end: the
// sensor publisher and a busy and a slow subscriber in three processes,
// every sample received or counted missed, nothing left in /dev/shm.

#include "examples/channel/tour_channel.h"
#include "gtest/gtest.h"
#include "tests/support/tour_scenario.h"

TEST(ChannelTourTest, Verifies) {
  ipcbox::testing::ExpectScenarioVerifies(ipcbox::examples::RunChannelTour);
}
