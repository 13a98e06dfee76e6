// graceful_shutdown.h
//
// The seed article's `shutdown` program ("Example 3. The graceful shutdown of
// a multi-processing system") as a function, on lib/signal and lib/process.
// The parent forks a child that ticks once a second, sleeps, asks the child
// to stop with SIGTERM and waits; the child prints its lines and exits.
//
//   absl::StatusOr<ShutdownRun> run =
//       RunGracefulShutdown(ShutdownTimings(), STDOUT_FILENO);
//
// Output, as the article shows it (tab-indented lines are the child's):
//
//   Parent sleeping for a time...
//   	Child just woke up, but going back to sleep.     (once per tick)
//   	Child confirming received signal: 15
//   	Child about to terminate gracefully...
//   	Child terminating now...
//   My child terminated, about to exit myself...
//
// What differs from the C original, and why:
//   - The seed prints from its SIGTERM handler with printf() and puts(),
//     which are not async-signal-safe: a SIGTERM landing while the child is
//     inside puts() itself (its tick line) can deadlock on stdio's lock or
//     corrupt its buffer. Here the handler only writes the signal number
//     into a `SignalPipe`; the child's loop waits on that pipe with the
//     tick as timeout and prints the lines itself, in ordinary code. The
//     output is the same; the handler does nothing unsafe.
//   - The seed's child can receive SIGTERM before it has installed its
//     handler (a parent with a short sleep kills it outright). Here the
//     parent blocks SIGTERM across the fork; the child unblocks it only once
//     its handler is in place, so an early SIGTERM waits instead of killing.
//   - The seed's output goes through stdio buffers, and its handler ends
//     the child with _exit(): with stdout a pipe or file instead of a
//     terminal, the child's buffered lines are lost. Here every line is one
//     write(2) to `output_fd`, so the output is the same wherever it goes.
//   - The parent's wait is bounded: `ShutDown()` sends SIGTERM, waits up to
//     `grace`, and only then uses SIGKILL (the seed waits forever).

#ifndef IPCBOX_EXAMPLES_SIGNAL_GRACEFUL_SHUTDOWN_H_
#define IPCBOX_EXAMPLES_SIGNAL_GRACEFUL_SHUTDOWN_H_

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/process/shutdown.h"

namespace ipcbox::examples {

// The seed's lines.
inline constexpr absl::string_view kParentSleeping =
    "Parent sleeping for a time...";
inline constexpr absl::string_view kChildWokeUp =
    "\tChild just woke up, but going back to sleep.";
inline constexpr absl::string_view kChildConfirming =
    "\tChild confirming received signal: ";  // + the number
inline constexpr absl::string_view kChildAboutToTerminate =
    "\tChild about to terminate gracefully...";
inline constexpr absl::string_view kChildTerminatingNow =
    "\tChild terminating now...";
inline constexpr absl::string_view kParentDone =
    "My child terminated, about to exit myself...";

// The seed's sleeps, as values so that tests and the tour can run fast.
struct ShutdownTimings {
  absl::Duration parent_sleep = absl::Seconds(5);    // sleep(5)
  absl::Duration child_tick = absl::Seconds(1);      // the child's sleep(1)
  absl::Duration graceful_pause = absl::Seconds(1);  // the handler's sleep(1)
  // Not in the seed: how long the parent waits after SIGTERM before SIGKILL.
  absl::Duration grace = absl::Seconds(30);
};

struct ShutdownRun {
  pid_t child = -1;
  ShutdownReport report;  // kEndedBySigterm when all went as in the seed
};

// Checks `output` against the seed's: the parent's first line, any number of
// tick lines, the child's three lines for SIGTERM (15), the parent's last
// line, nothing else. Returns how many tick lines there were.
absl::StatusOr<int> CheckShutdownTranscript(absl::string_view output);

// Runs the example, writing every line to `output_fd`. Fails if the fork or
// the signals fail, or if the child had to be killed with SIGKILL or did not
// exit with 0.
absl::StatusOr<ShutdownRun> RunGracefulShutdown(const ShutdownTimings& timings,
                                                int output_fd);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SIGNAL_GRACEFUL_SHUTDOWN_H_
