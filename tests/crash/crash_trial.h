// The crash suite's harness: runs the two programs of an example pair in
// forked processes, kills one of them (the peer) with SIGKILL at a chosen
// moment, and captures how the other (the survivor) ended and what it
// printed, so that a test can check it finished whole or failed with a
// clear error, and never hung:
//
//   CrashTrial trial;
//   trial.first = writer;         // a Role: prints to out/err, returns exit
//   trial.second = reader;
//   trial.peer = CrashTrial::kFirst;
//   TrialResult r = RunTrial(trial, absl::Milliseconds(3));
//   EXPECT_FALSE(r.survivor.exit.timed_out);
//
// A kill point is a delay after the peer started; the delays come from a
// seeded generator (CrashSettings), printed so that a failing run can be
// repeated with --seed. Every wait is bounded: a survivor still running
// after `survivor_bound` is killed and reported as timed out (a hang).

#ifndef IPCBOX_TESTS_CRASH_CRASH_TRIAL_H_
#define IPCBOX_TESTS_CRASH_CRASH_TRIAL_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/time/time.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {

// One program of a pair, run in a forked child: prints what it prints to
// `out` and `err` and returns its exit code.
using Role = std::function<int(std::FILE* out, std::FILE* err)>;

// ARM boards, and qemu-user even more, run the pairs several times slower:
// the survivors wait longer for a live peer there, and fewer kill points
// keep the suite's time about the same.
#if defined(__arm__) || defined(__aarch64__)
inline constexpr int kDefaultKillPoints = 4;
inline constexpr absl::Duration kDefaultPeerTimeout = absl::Seconds(3);
#else
inline constexpr int kDefaultKillPoints = 8;
inline constexpr absl::Duration kDefaultPeerTimeout = absl::Seconds(1);
#endif

// What the command line chose (crash_test_main.cc): the generator's seed,
// the kill points tried per pair and direction, and the survivors' own
// waits for a peer: short, so that a kill point where the survivor can only
// time out costs little, but far above a live peer's pauses.
struct CrashSettings {
  uint64_t seed = 0;
  int kill_points = kDefaultKillPoints;
  absl::Duration peer_timeout = kDefaultPeerTimeout;
};
CrashSettings& Settings();

struct Captured {
  ExitResult exit;
  std::string out;
  std::string err;
};

struct CrashTrial {
  enum Which { kFirst, kSecond };
  Role first;
  Role second;
  Which peer = kFirst;
  // Run the second only after the first has ended (killed or not), for
  // pairs whose programs run one after the other (a message queue's sender
  // and receiver, a shared file's producer and consumer).
  bool sequential = false;
  // Called in the parent once the first is forked and before the second
  // is: e.g. to close the parent's copy of a listener the first inherited,
  // so that a killed server really is gone.
  std::function<void()> after_first_forked;
  // Called in the parent once the peer is dead (or has ended), before the
  // wait for the survivor: e.g. a last client for a server that would
  // otherwise wait for one forever, as servers do.
  std::function<void()> after_peer_ended;
  // Far above any survivor's own timeouts (kill_points.h), also under qemu.
  absl::Duration survivor_bound = absl::Seconds(20);
};

struct TrialResult {
  Captured survivor;
  ExitResult peer;
  std::string peer_err;
  // False if the peer had ended on its own before the kill.
  bool peer_killed = false;
  // How long the peer ran; for calibration runs (no kill).
  absl::Duration peer_ran = absl::ZeroDuration();
};

// Runs the trial; `kill_after` is measured from the peer's start.
// absl::InfiniteDuration() kills nothing: a calibration run.
TrialResult RunTrial(const CrashTrial& trial, absl::Duration kill_after);

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_CRASH_CRASH_TRIAL_H_
