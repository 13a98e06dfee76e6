// RunKillPoints is the crash suite's loop over one example pair and
// direction: a calibration run with nothing killed (both programs must
// succeed; it gives the survivor's whole output and the peer's run time),
// then Settings().kill_points runs with the peer killed (SIGKILL) at a
// random moment of that time. Each survivor must end within its bound,
// exit 0 only with the whole output, and say why when it fails; and
// nothing of the run may be left in /dev/shm, /dev/mqueue, System V or
// the run's directory once the survivor has ended and, where the killed
// program owns and removes the objects, once it has been run again (a
// restart: the kernel removes no named object of a dead process). It
// prints the kill points and their outcomes:
//
//   TEST(CrashTest, FifoWriterKilled) {
//     RunKillPoints("fifo_writer killed", [](const Place& place) {
//       Instance in;
//       in.trial.first = writer;  // roles using place.dir / place.token
//       in.trial.second = reader;
//       return in;
//     });
//   }

#ifndef IPCBOX_TESTS_CRASH_KILL_POINTS_H_
#define IPCBOX_TESTS_CRASH_KILL_POINTS_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/crash/crash_trial.h"

namespace ipcbox::testing {

// The survivors' own waits for a peer (CrashSettings::peer_timeout).
inline absl::Duration PeerTimeout() { return Settings().peer_timeout; }

// Where one run puts its objects: a fresh directory, and a token that
// every named object of the run (in /dev/shm, /dev/mqueue) contains.
struct Place {
  std::string dir;
  std::string token;
};

// One run of a pair, made fresh for each kill point.
struct Instance {
  CrashTrial trial;
  // Runs the killed program again to completion, as a restart would; it
  // removes what its killed run left. Empty: nothing to restart.
  std::function<void()> restart;
  // Files in the directory that a whole run leaves on purpose.
  std::vector<std::string> products;
  // For a survivor whose exit 0 does not claim a whole run (a server: a
  // client that leaves early is the client's business): whether output
  // that is not the whole run's is still sound (e.g. no torn line).
  // Empty: exit 0 needs the whole output.
  std::function<bool(const std::string& out)> sound_partial;
  // Keeps what the roles share (a listener) alive for the run.
  std::shared_ptr<void> keep;
};

void RunKillPoints(const std::string& label,
                   const std::function<Instance(const Place&)>& make);

// Prints a failed status as the example's main() does ("program: status")
// and returns the exit code: 0 or 1.
int Report(const absl::Status& status, const char* program, std::FILE* err);

// Runs `role` to completion in this process with its output discarded, for
// a restart. Returns its exit code.
int RunQuietly(const Role& role);

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_CRASH_KILL_POINTS_H_
