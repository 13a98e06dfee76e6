// signal_info.h
//
// `SignalInfo` describes one delivered signal: its number, who sent it and
// how, and the value sigqueue() attached. `SignalFd` returns it; it is a
// plain value (no allocation), safe to copy around an event loop.
//
// Example:
//
//   absl::StatusOr<SignalInfo> info = signal_fd.Read();
//   if (info.ok() && info->queued()) Handle(info->signo, info->value);

#ifndef IPCBOX_SIGNAL_SIGNAL_INFO_H_
#define IPCBOX_SIGNAL_SIGNAL_INFO_H_

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ipcbox {

struct SignalInfo {
  int signo = 0;
  // si_code: SI_USER for kill(), SI_QUEUE for sigqueue(), SI_KERNEL, or a
  // signal-specific reason (CLD_EXITED for SIGCHLD, ...).
  int code = 0;
  // The sender, for kill() and sigqueue(); for SIGCHLD, the child.
  pid_t sender_pid = 0;
  uid_t sender_uid = 0;
  // sigqueue()'s value (sival_int). 0 for signals sent without one.
  int value = 0;
  // For SIGCHLD: the exit code, or the signal that ended or stopped it.
  int child_status = 0;

  // Sent by sigqueue(), so `value` is meaningful.
  bool queued() const { return code == SI_QUEUE; }
  // Sent by kill() or raise() from user space.
  bool sent_by_kill() const { return code == SI_USER || code == SI_TKILL; }

  // "SIGTERM from pid 123 (uid 0) by kill()". For logs: allocates.
  std::string ToString() const;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_INFO_H_
