#include "ipcbox/pipe/ignore_sigpipe.h"

#include <signal.h>

#include <atomic>
#include <cerrno>

#include "absl/status/status.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {

namespace pipe_internal {
std::atomic<bool> sigpipe_ignored_by_program{false};
}  // namespace pipe_internal

absl::Status IgnoreSigpipe() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (::sigaction(SIGPIPE, &ignore, nullptr) != 0) {
    return ErrnoError(errno, "sigaction", "SIGPIPE");
  }
  pipe_internal::sigpipe_ignored_by_program.store(true,
                                                  std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace ipcbox
