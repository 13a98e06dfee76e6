#include "ipcbox/signal/send_signal.h"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace {

absl::Status CheckTarget(const char* what, pid_t id) {
  if (id > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " ", id, " is not a ", what, ": kill() would read ", id,
      id == 0 ? " as the caller's own process group"
              : (id == -1 ? " as every process the caller may signal"
                          : " as a process group")));
}

absl::Status SendError(int err, const char* call, const char* what, pid_t id,
                       int signo) {
  return ErrnoError(err, call,
                    absl::StrCat(SignalName(signo), " to ", what, " ", id));
}

}  // namespace

absl::Status SendSignal(pid_t pid, int signo) {
  if (absl::Status s = CheckTarget("pid", pid); !s.ok()) return s;
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  if (::kill(pid, signo) != 0) {
    return SendError(errno, "kill", "pid", pid, signo);
  }
  return absl::OkStatus();
}

absl::Status SendSignalToGroup(pid_t pgid, int signo) {
  if (absl::Status s = CheckTarget("process group", pgid); !s.ok()) return s;
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  if (::kill(-pgid, signo) != 0) {
    return SendError(errno, "kill", "process group", pgid, signo);
  }
  return absl::OkStatus();
}

absl::Status QueueSignal(pid_t pid, int signo, int value) {
  if (absl::Status s = CheckTarget("pid", pid); !s.ok()) return s;
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  union sigval sv;
  sv.sival_int = value;
  if (::sigqueue(pid, signo, sv) != 0) {
    return SendError(errno, "sigqueue", "pid", pid, signo);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ProcessExists(pid_t pid) {
  if (absl::Status s = CheckTarget("pid", pid); !s.ok()) return s;
  if (::kill(pid, 0) == 0) return true;
  const int err = errno;
  if (err == ESRCH) return false;
  if (err == EPERM) return true;
  return ErrnoError(err, "kill", absl::StrCat("signal 0 to pid ", pid));
}

}  // namespace ipcbox
