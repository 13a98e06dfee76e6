// send_signal.h
//
// Sending signals to a process or a process group: kill(2) and sigqueue(3)
// with the arguments checked first. kill()'s pid argument is overloaded
// (0 = my own group, -1 = every process I may signal, -n = group n), so a
// pid that went wrong (an uninitialised 0, a failed fork's -1) would signal
// far more than intended; here each target has its own function and refuses
// the others.
//
// Example:
//
//   if (absl::Status s = SendSignal(worker_pid, SIGTERM); !s.ok()) ...
//   // ESRCH ("No such process") when the worker is already gone
//   absl::Status s = QueueSignal(worker_pid, SIGRTMIN + 1, /*value=*/42);
//
// A process may only signal processes of the same (real or effective) user
// unless privileged: EPERM comes back as kPermissionDenied. On success these
// calls do not allocate; failures build a message that names the target.

#ifndef IPCBOX_SIGNAL_SEND_SIGNAL_H_
#define IPCBOX_SIGNAL_SEND_SIGNAL_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ipcbox {

// Sends `signo` to process `pid` (> 0).
absl::Status SendSignal(pid_t pid, int signo);

// Sends `signo` to every process in process group `pgid` (> 0): the way to
// stop a program together with the helpers it started.
absl::Status SendSignalToGroup(pid_t pgid, int signo);

// Sends `signo` with an integer `value` to `pid` (> 0) with sigqueue(). The
// receiver finds it in `SignalInfo::value` (signalfd) or
// `info->si_value.sival_int` (SA_SIGINFO handler). Real-time signals queue
// one entry per send, so no value is lost; the queue is bounded
// (RLIMIT_SIGPENDING): EAGAIN when full comes back as kResourceExhausted
// with a message. For an ordinary signal already pending, the second value
// is lost.
absl::Status QueueSignal(pid_t pid, int signo, int value);

// Whether a process `pid` (> 0) exists, i.e. kill(pid, 0). A process that
// exists but that we may not signal (EPERM) exists. A zombie (ended, not yet
// reaped) also exists.
absl::StatusOr<bool> ProcessExists(pid_t pid);

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SEND_SIGNAL_H_
