// pidfd.h
//
// Internal to lib/process: process descriptors (pidfd_open(2), Linux 5.3),
// which become readable when the process ends, so a timed wait is one
// poll() instead of a sleep-and-check loop, and which name one process for
// good, so a signal sent through one cannot reach a later process that
// reused the pid. Kernels before 5.3, and emulators that do not know the
// call (qemu-user may answer ENOSYS), have none: callers fall back.
//
// Example (`Child` opens one only for a timed wait or a signal):
//
//   Fd pidfd = OpenPidFd(pid);  // while `pid` is a child not yet reaped
//   if (!pidfd.valid()) ...     // none: waitpid(WNOHANG) loop and kill()
//   struct pollfd p = {pidfd.get(), POLLIN, 0};  // readable once it ends
//   SendSignalThroughPidFd(pidfd.get(), SIGTERM);  // never a recycled pid

#ifndef IPCBOX_PROCESS_INTERNAL_PIDFD_H_
#define IPCBOX_PROCESS_INTERNAL_PIDFD_H_

#include <sys/types.h>

#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace process_internal {

// A close-on-exec pidfd for `pid`, or an empty Fd if the system has none
// (ENOSYS is remembered, so later calls cost nothing) or the call failed.
Fd OpenPidFd(pid_t pid);

// Whether pidfd_open() worked the last time it was tried (true until a
// failure with ENOSYS says otherwise).
bool PidFdsAvailable();

// pidfd_send_signal(2): 0, or -1 with errno set (ENOSYS included).
int SendSignalThroughPidFd(int pidfd, int signo);

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_PIDFD_H_
