#include "ipcbox/process/shutdown.h"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/internal/process_group.h"
#include "ipcbox/process/internal/wait_exit.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace {

absl::Status OutlivedSigkillError(absl::string_view what,
                                  absl::Duration kill_wait) {
  return TimedOutError(
      absl::StrCat(what, " still running ", absl::FormatDuration(kill_wait),
                   " after SIGKILL (uninterruptible sleep in the kernel?)"));
}

// Signals and group checks that fail because everything is already gone.
bool IsNoSuchProcess(const absl::Status& status) {
  return absl::IsNotFound(status);  // ESRCH maps to kNotFound
}

// Waits until the group has no running member (reaping `leader` on the
// way, if given) or `deadline` passes. True if the group has ended.
absl::StatusOr<bool> AwaitGroupEnd(pid_t pgid, Child* leader,
                                   const Deadline& deadline) {
  Backoff backoff;
  for (;;) {
    if (leader != nullptr && !leader->reaped()) {
      absl::StatusOr<ExitStatus> status = leader->TryWait();
      if (!status.ok() && !IsWouldBlock(status.status())) {
        return status.status();
      }
    }
    absl::StatusOr<bool> running =
        process_internal::GroupHasRunningMember(pgid);
    if (!running.ok()) return running.status();
    if (!*running) {
      // The leader's zombie does not count as running: reap it now.
      if (leader != nullptr && !leader->reaped()) {
        absl::StatusOr<ExitStatus> status = leader->Wait();
        if (!status.ok()) return status.status();
      }
      return true;
    }
    if (!backoff.Wait(deadline)) return false;
  }
}

absl::StatusOr<ShutdownReport> ShutDownGroupOf(pid_t pgid, Child* leader,
                                               const ShutdownOptions& options) {
  if (absl::Status s = CheckSignalNumber(options.request_signal); !s.ok()) {
    return s;
  }
  const std::string what = absl::StrCat("process group ", pgid);
  auto report = [&](ShutdownOutcome outcome) {
    ShutdownReport result;
    result.outcome = outcome;
    if (leader != nullptr) result.status = leader->exit_status();
    return result;
  };

  absl::StatusOr<bool> ended = AwaitGroupEnd(pgid, leader, Deadline::Expired());
  if (!ended.ok()) return ended.status();
  if (*ended) return report(ShutdownOutcome::kExitedByItself);

  absl::Status sent = SendSignalToGroup(pgid, options.request_signal);
  if (!sent.ok() && !IsNoSuchProcess(sent)) return sent;
  ended = AwaitGroupEnd(pgid, leader, Deadline::After(options.grace));
  if (!ended.ok()) return ended.status();
  if (*ended) return report(ShutdownOutcome::kEndedBySigterm);

  sent = SendSignalToGroup(pgid, SIGKILL);
  if (!sent.ok() && !IsNoSuchProcess(sent)) return sent;
  ended = AwaitGroupEnd(pgid, leader, Deadline::After(options.kill_wait));
  if (!ended.ok()) return ended.status();
  if (!*ended) return OutlivedSigkillError(what, options.kill_wait);
  return report(ShutdownOutcome::kNeededSigkill);
}

}  // namespace

const char* ShutdownOutcomeName(ShutdownOutcome outcome) {
  switch (outcome) {
    case ShutdownOutcome::kExitedByItself:
      return "exited by itself";
    case ShutdownOutcome::kEndedBySigterm:
      return "ended by SIGTERM";
    case ShutdownOutcome::kNeededSigkill:
      return "needed SIGKILL";
  }
  return "unknown outcome";
}

std::string ShutdownReport::ToString() const {
  std::string text = ShutdownOutcomeName(outcome);
  if (status.has_value()) absl::StrAppend(&text, " (", status->ToString(), ")");
  return text;
}

absl::StatusOr<ShutdownReport> ShutDown(Child& child,
                                        const ShutdownOptions& options) {
  if (!child.valid()) {
    return absl::FailedPreconditionError(
        "ShutDown: the Child holds no process");
  }
  if (absl::Status s = CheckSignalNumber(options.request_signal); !s.ok()) {
    return s;
  }
  ShutdownReport report;
  absl::StatusOr<ExitStatus> status = child.TryWait();
  if (status.ok()) {
    report.status = *status;
    return report;  // kExitedByItself
  }
  if (!IsWouldBlock(status.status())) return status.status();

  if (absl::Status s = child.Signal(options.request_signal); !s.ok()) return s;
  status = child.WaitFor(options.grace);
  report.outcome = ShutdownOutcome::kEndedBySigterm;
  if (IsTimedOut(status.status())) {
    if (absl::Status s = child.Signal(SIGKILL); !s.ok()) return s;
    status = child.WaitFor(options.kill_wait);
    report.outcome = ShutdownOutcome::kNeededSigkill;
    if (IsTimedOut(status.status())) {
      return OutlivedSigkillError(absl::StrCat("child ", child.pid()),
                                  options.kill_wait);
    }
  }
  if (!status.ok()) return status.status();
  report.status = *status;
  return report;
}

absl::StatusOr<ShutdownReport> ShutDownGroup(Child& leader,
                                             const ShutdownOptions& options) {
  if (leader.process_group() <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("ShutDownGroup: child ", leader.pid(),
                     " was not started as the "
                     "leader of a new process group"));
  }
  return ShutDownGroupOf(leader.process_group(), &leader, options);
}

absl::StatusOr<ShutdownReport> ShutDownProcessGroup(
    pid_t pgid, const ShutdownOptions& options) {
  if (pgid <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ShutDownProcessGroup: ", pgid, " is not a process group id"));
  }
  return ShutDownGroupOf(pgid, nullptr, options);
}

}  // namespace ipcbox
