// The message-queue scenario of the tour verifies end to end.

#include "tests/support/tour_scenario.h"
#include "examples/message_queue/tour_message_queue.h"
#include "examples/tour/scenario.h"
#include "gtest/gtest.h"

namespace ipcbox::examples {
namespace {

TEST(MessageQueueTourTest, Verifies) {
  testing::ExpectScenarioVerifies(&RunMessageQueueTour);
}

}  // namespace
}  // namespace ipcbox::examples
