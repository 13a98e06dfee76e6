#include "examples/signal/graceful_shutdown.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/fork_function.h"
#include "ipcbox/process/shutdown.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_pipe.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox::examples {
namespace {

// One write(2) per line: lines of the two processes never interleave and
// nothing waits in a buffer that _exit() would drop.
bool PrintLine(int fd, absl::string_view line) {
  const std::string text = absl::StrCat(line, "\n");
  return ::write(fd, text.data(), text.size()) ==
         static_cast<ssize_t>(text.size());
}

// The child: tick until SIGTERM arrives through the pipe, then terminate
// gracefully. Runs with SIGTERM blocked (the parent's doing) until its
// handler exists.
int ChildCode(const ShutdownTimings& timings, const SignalSet& sigterm,
              int output_fd) {
  absl::StatusOr<SignalPipe> signals = SignalPipe::Install(sigterm);
  if (!signals.ok()) return 2;
  // A SIGTERM that came early is pending; unblocking delivers it to the
  // handler just installed.
  absl::StatusOr<ScopedSignalMask> unblocked =
      ScopedSignalMask::Unblock(sigterm);
  if (!unblocked.ok()) return 3;
  for (;;) {
    absl::StatusOr<int> signo = signals->WaitFor(timings.child_tick);
    if (IsTimedOut(signo.status())) {
      if (!PrintLine(output_fd, kChildWokeUp)) return 4;
      continue;
    }
    if (!signo.ok()) return 5;
    // What the seed's handler did, now outside any handler.
    const bool printed =
        PrintLine(output_fd, absl::StrCat(kChildConfirming, *signo)) &&
        PrintLine(output_fd, kChildAboutToTerminate);
    absl::SleepFor(timings.graceful_pause);
    if (!printed || !PrintLine(output_fd, kChildTerminatingNow)) return 4;
    return 0;
  }
}

absl::Status CheckEndedAsInTheSeed(const ShutdownReport& report) {
  if (report.outcome == ShutdownOutcome::kEndedBySigterm &&
      report.status.has_value() && report.status->success()) {
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      "the child did not terminate gracefully: ", report.ToString()));
}

}  // namespace

absl::StatusOr<int> CheckShutdownTranscript(absl::string_view output) {
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  if (lines.empty() || !lines.back().empty()) {
    return absl::InvalidArgumentError("output does not end with a newline");
  }
  lines.pop_back();
  const std::string confirming = absl::StrCat(kChildConfirming, SIGTERM);
  size_t i = 0;
  auto expect = [&](absl::string_view line) -> absl::Status {
    if (i < lines.size() && lines[i] == line) {
      ++i;
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", i + 1, ": expected \"", absl::CEscape(line), "\", got \"",
        i < lines.size() ? absl::CEscape(lines[i]) : "<end>", "\""));
  };
  if (absl::Status s = expect(kParentSleeping); !s.ok()) return s;
  int ticks = 0;
  while (i < lines.size() && lines[i] == kChildWokeUp) {
    ++i;
    ++ticks;
  }
  for (absl::string_view line :
       {absl::string_view(confirming), kChildAboutToTerminate,
        kChildTerminatingNow, kParentDone}) {
    if (absl::Status s = expect(line); !s.ok()) return s;
  }
  if (i != lines.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected line ", i + 1, ": \"", absl::CEscape(lines[i]), "\""));
  }
  return ticks;
}

absl::StatusOr<ShutdownRun> RunGracefulShutdown(const ShutdownTimings& timings,
                                                int output_fd) {
  absl::StatusOr<SignalSet> sigterm = SignalSet::Of({SIGTERM});
  if (!sigterm.ok()) return sigterm.status();
  absl::StatusOr<Child> child;
  {
    // Blocked across the fork: the child inherits the mask.
    absl::StatusOr<ScopedSignalMask> blocked =
        ScopedSignalMask::Block(*sigterm);
    if (!blocked.ok()) return blocked.status();
    child =
        ForkFunction([&] { return ChildCode(timings, *sigterm, output_fd); });
  }
  if (!child.ok()) return child.status();

  if (!PrintLine(output_fd, kParentSleeping)) {
    return ErrnoError(errno, "write", output_fd);
  }
  absl::SleepFor(timings.parent_sleep);

  ShutdownOptions options;  // SIGTERM, then SIGKILL after `grace`
  options.grace = timings.grace;
  absl::StatusOr<ShutdownReport> report = ShutDown(*child, options);
  if (!report.ok()) return report.status();
  if (absl::Status s = CheckEndedAsInTheSeed(*report); !s.ok()) return s;
  if (!PrintLine(output_fd, kParentDone)) {
    return ErrnoError(errno, "write", output_fd);
  }
  return ShutdownRun{child->pid(), *report};
}

}  // namespace ipcbox::examples
