// The tour's shared-file scenario runs and passes: it forks the ported
// producer and consumer and checks absent, written, read, locked (with the
// writer's pid) and empty.

#include "absl/status/status.h"
#include "examples/shared_file/tour_shared_file.h"
#include "examples/tour/scenario.h"
#include "gtest/gtest.h"
#include "tests/support/tour_scenario.h"

namespace ipcbox::examples {
namespace {

TEST(SharedFileTourTest, ScenarioPasses) {
  testing::ExpectScenarioVerifies(&RunSharedFileTour);
}

}  // namespace
}  // namespace ipcbox::examples
