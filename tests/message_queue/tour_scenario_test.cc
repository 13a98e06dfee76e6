// The message-queue scenario of the tour verifies end to end.

#include "examples/message_queue/tour_message_queue.h"
#include "examples/tour/scenario.h"
#include "gtest/gtest.h"

namespace ipcbox::examples {
namespace {

TEST(MessageQueueTourTest, Verifies) {
  tour::Report report;
  const absl::Status status = RunMessageQueueTour(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace ipcbox::examples
