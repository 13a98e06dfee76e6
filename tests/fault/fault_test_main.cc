// The main() of every fault-injection test: GoogleTest plus the tally that
// prints how many faults the binary injected.

#include "gtest/gtest.h"
#include "tests/fault/fault_test_util.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(
      new ipcbox::testing::FaultTally);
  return RUN_ALL_TESTS();
}
