#include "ipcbox/process/internal/wait_exit.h"

#include <poll.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {
namespace process_internal {
namespace {

constexpr long kMaxPauseNs = 10 * 1000 * 1000;

absl::Status NotOurChildError(pid_t pid) {
  return absl::FailedPreconditionError(absl::StrCat(
      "waitpid(pid ", pid, "): No child processes: the child was reaped "
      "elsewhere (SIGCHLD set to SIG_IGN or SA_NOCLDWAIT makes the kernel "
      "reap children; a waitpid(-1) elsewhere takes any child), so its exit "
      "status is lost"));
}

}  // namespace

absl::StatusOr<ExitStatus> ReapIfEnded(pid_t pid) {
  int wait_status = 0;
  const pid_t reaped =
      RetryOnEintr([&] { return ::waitpid(pid, &wait_status, WNOHANG); });
  if (reaped == pid) return ExitStatus::FromWaitStatus(wait_status);
  if (reaped == 0) return WouldBlockError();
  const int err = errno;
  if (err == ECHILD) return NotOurChildError(pid);
  return ErrnoError(err, "waitpid", absl::StrCat("pid ", pid));
}

void SleepAndBackOff(const Deadline& deadline, long& pause_ns) {
  long sleep_ns = pause_ns;
  if (!deadline.is_infinite()) {
    const int64_t left_ns = absl::ToInt64Nanoseconds(deadline.Remaining());
    sleep_ns = static_cast<long>(std::min<int64_t>(sleep_ns, left_ns));
  }
  if (sleep_ns > 0) {
    const timespec pause = {0, sleep_ns};
    // A signal ending the sleep early only means one more check.
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, nullptr);
  }
  pause_ns = std::min(pause_ns * 2, kMaxPauseNs);
}

absl::StatusOr<ExitStatus> WaitForExit(pid_t pid, int pidfd,
                                       const Deadline& deadline) {
  if (deadline.is_infinite()) {
    // Nothing to time: the kernel's own blocking wait is the cheapest.
    int wait_status = 0;
    const pid_t reaped =
        RetryOnEintr([&] { return ::waitpid(pid, &wait_status, 0); });
    if (reaped == pid) return ExitStatus::FromWaitStatus(wait_status);
    const int err = errno;
    if (err == ECHILD) return NotOurChildError(pid);
    return ErrnoError(err, "waitpid", absl::StrCat("pid ", pid));
  }
  long pause_ns = kFirstPauseNs;
  for (;;) {
    absl::StatusOr<ExitStatus> status = ReapIfEnded(pid);
    if (!IsWouldBlock(status.status())) return status;
    if (deadline.expired()) return TimedOutError();
    if (pidfd < 0) {
      SleepAndBackOff(deadline, pause_ns);
      continue;
    }
    pollfd pfd = {pidfd, POLLIN, 0};
    if (::poll(&pfd, 1, deadline.PollTimeoutMs()) < 0 && errno != EINTR) {
      return ErrnoError(errno, "poll", pidfd);
    }
  }
}

}  // namespace process_internal
}  // namespace ipcbox
