// The FIFO tour scenarios (//examples/fifo:tour_scenario) pass: they run the
// ported programs between processes with the seeds' defaults and check the
// seeds' output themselves; this test only makes sure they keep passing.

#include "examples/fifo/tour_fifo.h"
#include "absl/status/status.h"
#include "examples/tour/scenario.h"
#include "gtest/gtest.h"

namespace ipcbox::examples {
namespace {

TEST(FifoTourTest, WriterAndReaderScenarioVerifies) {
  tour::Report report;
  const absl::Status status = RunFifoTour(report);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(FifoTourTest, ChatScenarioVerifies) {
  tour::Report report;
  const absl::Status status = RunFifoChatTour(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace ipcbox::examples
