#include "ipcbox/process/internal/pidfd.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "ipcbox/core/fd.h"

// The numbers are the same on every architecture (the unified syscall table
// of Linux 5.1+); older C library headers may not name them.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace ipcbox {
namespace process_internal {
namespace {

std::atomic<bool> g_pidfd_unavailable{false};

}  // namespace

Fd OpenPidFd(pid_t pid) {
  if (g_pidfd_unavailable.load(std::memory_order_relaxed)) return Fd();
  // pidfd_open() sets O_CLOEXEC on the descriptor itself.
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno == ENOSYS) {
      g_pidfd_unavailable.store(true, std::memory_order_relaxed);
    }
    return Fd();
  }
  return Fd(static_cast<int>(fd));
}

bool PidFdsAvailable() {
  return !g_pidfd_unavailable.load(std::memory_order_relaxed);
}

int SendSignalThroughPidFd(int pidfd, int signo) {
  return static_cast<int>(
      ::syscall(SYS_pidfd_send_signal, pidfd, signo, nullptr, 0));
}

}  // namespace process_internal
}  // namespace ipcbox
