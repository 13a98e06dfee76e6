// The tour's channel scenario (examples/channel) verifies end to end: the
// sensor publisher and a busy and a slow subscriber in three processes,
// every sample received or counted missed, nothing left in /dev/shm.

#include "examples/channel/tour_channel.h"
#include "examples/tour/scenario.h"
#include "gtest/gtest.h"

namespace ipcbox::examples {
namespace {

TEST(ChannelTourTest, Verifies) {
  tour::Report report;
  const absl::Status status = RunChannelTour(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace ipcbox::examples
