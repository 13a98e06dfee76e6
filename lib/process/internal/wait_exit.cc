#include "ipcbox/process/internal/wait_exit.h"

#include <poll.h>
#include <sys/wait.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {
namespace process_internal {
namespace {

absl::Status NotOurChildError(pid_t pid) {
  return absl::FailedPreconditionError(absl::StrCat(
      "waitpid(pid ", pid,
      "): No child processes: the child was reaped "
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
  Backoff backoff;
  for (;;) {
    absl::StatusOr<ExitStatus> status = ReapIfEnded(pid);
    if (!IsWouldBlock(status.status())) return status;
    if (pidfd < 0) {
      if (!backoff.Wait(deadline)) return TimedOutError();
      continue;
    }
    if (deadline.expired()) return TimedOutError();
    pollfd pfd = {pidfd, POLLIN, 0};
    if (::poll(&pfd, 1, deadline.PollTimeoutMs()) < 0 && errno != EINTR) {
      return ErrnoError(errno, "poll", pidfd);
    }
  }
}

}  // namespace process_internal
}  // namespace ipcbox
