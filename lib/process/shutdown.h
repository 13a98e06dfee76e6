// shutdown.h
//
// Graceful shutdown of a child, or of a whole process group: ask it to stop
// (SIGTERM), give it a grace period to finish what it is doing, and kill it
// (SIGKILL) only if it has not ended by then. The report says which of the
// three ended it, so a supervisor can log the workers that had to be killed.
//
// Example:
//
//   ShutdownOptions options;
//   options.grace = absl::Seconds(2);
//   absl::StatusOr<ShutdownReport> report = ShutDown(worker, options);
//   if (!report.ok()) return report.status();
//   if (report->outcome == ShutdownOutcome::kNeededSigkill) {
//     LOG(WARNING) << "worker ignored SIGTERM: " << report->ToString();
//   }
//
// For a group (a child started with `SetNewProcessGroup(true)` or
// `ForkOptions::new_process_group`, and everything it started without
// leaving the group), `ShutDownGroup()` signals the whole group and waits
// until no member is running: its own child it reaps; the others (the
// child's children) are reaped by whoever adopts orphans, and a member that
// has ended counts as ended even before that happens.
//
// Every wait is bounded: the grace period, then `kill_wait` after SIGKILL.
// Waiting sleeps (README.md); a group is checked at pauses of up to 10 ms.

#ifndef IPCBOX_PROCESS_SHUTDOWN_H_
#define IPCBOX_PROCESS_SHUTDOWN_H_

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {

// What it took to end the child (or the group).
enum class ShutdownOutcome {
  // It had already ended before anything was sent.
  kExitedByItself,
  // It ended within the grace period after the request signal (SIGTERM
  // unless `ShutdownOptions::request_signal` says otherwise), whether it
  // exited from a handler or the signal killed it. (One that happens to
  // end on its own in that window is counted here too.)
  kEndedBySigterm,
  // It was still running at the end of the grace period and got SIGKILL.
  kNeededSigkill,
};

// "exited by itself", "ended by SIGTERM", "needed SIGKILL".
const char* ShutdownOutcomeName(ShutdownOutcome outcome);

struct ShutdownOptions {
  // How long the child may take after the request signal.
  absl::Duration grace = absl::Seconds(5);
  // The polite request. Some daemons use SIGINT, SIGQUIT or SIGHUP instead.
  int request_signal = SIGTERM;
  // How long to wait for the kernel to finish a child after SIGKILL before
  // reporting an error (a process in an uninterruptible sleep).
  absl::Duration kill_wait = absl::Seconds(10);
};

struct ShutdownReport {
  ShutdownOutcome outcome = ShutdownOutcome::kExitedByItself;
  // How the child (for a group: its leader, if it was our child) ended.
  std::optional<ExitStatus> status;

  // "ended by SIGTERM (killed by SIGTERM (signal 15))". Allocates.
  std::string ToString() const;
};

// Shuts `child` down as described above and reaps it. kFailedPrecondition
// if it holds no process, kInvalidArgument for a bad request signal,
// kDeadlineExceeded (with a message) if it outlived even SIGKILL's wait.
absl::StatusOr<ShutdownReport> ShutDown(Child& child,
                                        const ShutdownOptions& options = {});

// Shuts down the process group that `leader` leads, and reaps `leader`.
// kFailedPrecondition if `leader` was not started as a group leader.
absl::StatusOr<ShutdownReport> ShutDownGroup(
    Child& leader, const ShutdownOptions& options = {});

// The same for a group that is not led by a `Child` of ours (`status` stays
// empty). kInvalidArgument for pgid <= 0.
absl::StatusOr<ShutdownReport> ShutDownProcessGroup(
    pid_t pgid, const ShutdownOptions& options = {});

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_SHUTDOWN_H_
