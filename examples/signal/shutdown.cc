// shutdown: the seed article's graceful shutdown of a multi-processing
// system, on lib/signal and lib/process. See graceful_shutdown.h for what it
// does and how it differs from the C original (no printf in the handler,
// no lost SIGTERM, no lost output, a bounded wait).
//
//   $ shutdown
//   Parent sleeping for a time...
//   	Child just woke up, but going back to sleep.
//   ...
//   My child terminated, about to exit myself...
//
//   $ shutdown --parent_sleep=1s --child_tick=200ms --graceful_pause=0s
#include <unistd.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/signal/graceful_shutdown.h"

ABSL_FLAG(absl::Duration, parent_sleep, absl::Seconds(5),
          "How long the parent sleeps before sending SIGTERM (the seed's "
          "sleep(5)).");
ABSL_FLAG(absl::Duration, child_tick, absl::Seconds(1),
          "The child's sleep between its \"woke up\" lines (the seed's "
          "sleep(1)).");
ABSL_FLAG(absl::Duration, graceful_pause, absl::Seconds(1),
          "The child's pause while terminating gracefully (the seed's "
          "handler's sleep(1)).");
ABSL_FLAG(absl::Duration, grace, absl::Seconds(30),
          "How long the parent waits after SIGTERM before SIGKILL (the seed "
          "waits forever).");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "shutdown [flags]: a parent forks a child and stops it gracefully with "
      "SIGTERM.");
  ipcbox::examples::ShutdownTimings timings;
  timings.parent_sleep = absl::GetFlag(FLAGS_parent_sleep);
  timings.child_tick = absl::GetFlag(FLAGS_child_tick);
  timings.graceful_pause = absl::GetFlag(FLAGS_graceful_pause);
  timings.grace = absl::GetFlag(FLAGS_grace);
  absl::StatusOr<ipcbox::examples::ShutdownRun> run =
      ipcbox::examples::RunGracefulShutdown(timings, STDOUT_FILENO);
  if (!run.ok()) {
    std::fprintf(stderr, "shutdown: %s\n", run.status().ToString().c_str());
    return 1;
  }
  return 0;
}
