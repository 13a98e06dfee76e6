// main() of the crash suite: GoogleTest's flags, then the suite's own:
//   --seed=N         the kill points' generator (default: random, printed)
//   --kill_points=N  kill points per pair and direction (default 8; 4 on ARM)
//   --peer_timeout=D the survivors' waits for a peer (default 1s; 3s on ARM)
// e.g. to repeat a failing run:
//   bazel test //tests/crash:crash_test --test_arg=--seed=1234

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ipcbox::testing::CrashSettings& settings = ipcbox::testing::Settings();
  settings.seed = std::random_device()();
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    bool ok = false;
    if (std::strncmp(arg, "--seed=", 7) == 0) {
      ok = absl::SimpleAtoi(arg + 7, &settings.seed);
    } else if (std::strncmp(arg, "--kill_points=", 14) == 0) {
      ok = absl::SimpleAtoi(arg + 14, &settings.kill_points) &&
           settings.kill_points >= 0;
    } else if (std::strncmp(arg, "--peer_timeout=", 15) == 0) {
      ok = absl::ParseDuration(arg + 15, &settings.peer_timeout) &&
           settings.peer_timeout > absl::ZeroDuration();
    } else if (std::strcmp(arg, "--help") == 0) {
      std::printf(
          "crash_test [gtest flags] [--seed=N] [--kill_points=N] "
          "[--peer_timeout=D]\n"
          "  --seed=N          seed of the kill points (default: random)\n"
          "  --kill_points=N   kill points per pair and direction (default "
          "%d)\n"
          "  --peer_timeout=D  the survivors' waits for a peer, e.g. 3s "
          "(default %s)\n",
          ipcbox::testing::kDefaultKillPoints,
          absl::FormatDuration(ipcbox::testing::kDefaultPeerTimeout).c_str());
      return 0;
    }
    if (!ok) {
      std::fprintf(stderr, "crash_test: bad argument %s (see --help)\n", arg);
      return 2;
    }
  }
  std::printf(
      "crash suite: seed %llu (repeat with --seed=%llu), %d kill "
      "points per pair and direction, peer timeout %s\n",
      static_cast<unsigned long long>(settings.seed),
      static_cast<unsigned long long>(settings.seed), settings.kill_points,
      absl::FormatDuration(settings.peer_timeout).c_str());
  return RUN_ALL_TESTS();
}
