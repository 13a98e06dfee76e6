#include "ipcbox/shm/sigbus_guard.h"

#include <setjmp.h>
#include <signal.h>

#include <cerrno>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace {

// The guarded access running on this thread, if any. A SIGBUS is delivered
// to the thread that faulted, so each thread needs its own.
thread_local sigjmp_buf* t_guard = nullptr;

void OnSigbus(int, siginfo_t*, void*) {
  sigjmp_buf* guard = t_guard;
  if (guard != nullptr) {
    t_guard = nullptr;
    siglongjmp(*guard, 1);
  }
  // Not a guarded access: the default action, as if no handler were
  // installed. Returning re-runs the faulting access, which now kills.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGBUS, &dfl, nullptr);
}

absl::Status InstallHandlerOnce() {
  static std::once_flag once;
  static int install_errno = 0;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_sigaction = &OnSigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (::sigaction(SIGBUS, &action, nullptr) != 0) install_errno = errno;
  });
  if (install_errno != 0) {
    return ErrnoError(install_errno, "sigaction(SIGBUS)", "shrink guard");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GuardAgainstShrinking(absl::string_view what,
                                   absl::FunctionRef<void()> access) {
  if (absl::Status s = InstallHandlerOnce(); !s.ok()) return s;
  sigjmp_buf jump;
  // 1: restore the signal mask on the way out of the handler.
  if (sigsetjmp(jump, 1) != 0) {
    return absl::DataLossError(absl::StrCat(
        what,
        ": the object shrank under the mapping (SIGBUS on access); "
        "a peer truncated it"));
  }
  t_guard = &jump;
  access();
  t_guard = nullptr;
  return absl::OkStatus();
}

}  // namespace ipcbox
