#include "ipcbox/process/child_reaper.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/async_signal_safe.h"

namespace ipcbox {
namespace {

static_assert(std::atomic<pid_t>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

// Each slot: 0 free, pid > 0 handed over, -pid while one sweeper checks it.
// Only the sweeper that claimed a slot calls waitpid() for it, so no pid is
// waited for twice (a second waitpid after the first reaped could hit a new
// process that reused the pid).
std::atomic<pid_t> g_slots[ChildReaper::kCapacity];
// Set by a sweeper that found a slot claimed: someone must look again.
std::atomic<bool> g_look_again{false};

enum InstallState : int {
  kNotInstalled,
  kInstalling,
  kInstalled,
  kKernelReaps
};
std::atomic<int> g_install_state{kNotInstalled};
struct sigaction g_previous_action;  // written once, before kInstalled

// Returns how many children it reaped.
int SweepOnce() {
  int reaped = 0;
  for (std::atomic<pid_t>& slot : g_slots) {
    pid_t pid = slot.load();
    if (pid == 0) continue;
    if (pid < 0 || !slot.compare_exchange_strong(pid, -pid)) {
      g_look_again.store(true);
      continue;
    }
    int wait_status = 0;
    pid_t result;
    do {
      result = ::waitpid(pid, &wait_status, WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == pid) ++reaped;
    // ECHILD: reaped elsewhere after all; forget it too.
    const bool gone = result == pid || (result < 0 && errno == ECHILD);
    slot.store(gone ? 0 : pid);
  }
  return reaped;
}

// A sweeper never runs inside another sweeper on the same thread: normal
// code blocks SIGCHLD around its sweep and the handler runs with SIGCHLD
// blocked. So a claimed slot always belongs to another thread, which will
// release it shortly, and looking again cannot spin forever.
int Sweep() {
  int reaped = 0;
  do {
    reaped += SweepOnce();
  } while (g_look_again.exchange(false));
  return reaped;
}

void CallPrevious(int signo, siginfo_t* info, void* context) {
  const struct sigaction& previous = g_previous_action;
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    if (previous.sa_sigaction != nullptr) {
      previous.sa_sigaction(signo, info, context);
    }
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
             previous.sa_handler != nullptr) {
    previous.sa_handler(signo);
  }
}

void OnSigchld(int signo, siginfo_t* info, void* context) {
  {
    SaveErrno keep_errno;
    Sweep();
  }
  CallPrevious(signo, info, context);
}

bool KernelReapsChildren(const struct sigaction& action) {
  if ((action.sa_flags & SA_NOCLDWAIT) != 0) return true;
  return (action.sa_flags & SA_SIGINFO) == 0 && action.sa_handler == SIG_IGN;
}

absl::Status InstallOnce() {
  int state = g_install_state.load();
  while (state == kNotInstalled || state == kInstalling) {
    if (state == kNotInstalled &&
        g_install_state.compare_exchange_strong(state, kInstalling)) {
      struct sigaction current = {};
      if (::sigaction(SIGCHLD, nullptr, &current) != 0) {
        const int err = errno;
        g_install_state.store(kNotInstalled);
        return ErrnoError(err, "sigaction", "SIGCHLD");
      }
      if (KernelReapsChildren(current)) {
        g_install_state.store(kKernelReaps);
        return absl::OkStatus();
      }
      g_previous_action = current;
      struct sigaction ours = {};
      ours.sa_sigaction = OnSigchld;
      ours.sa_mask = current.sa_mask;
      ours.sa_flags =
          SA_SIGINFO | SA_RESTART | (current.sa_flags & SA_NOCLDSTOP);
      if (::sigaction(SIGCHLD, &ours, nullptr) != 0) {
        const int err = errno;
        g_install_state.store(kNotInstalled);
        return ErrnoError(err, "sigaction", "SIGCHLD");
      }
      g_install_state.store(kInstalled);
      return absl::OkStatus();
    }
    sched_yield();  // another thread is installing
    state = g_install_state.load();
  }
  return absl::OkStatus();
}

// Blocks SIGCHLD in the calling thread for its lifetime (see Sweep()).
class SigchldBlocked {
 public:
  SigchldBlocked() {
    sigset_t sigchld;
    sigemptyset(&sigchld);
    sigaddset(&sigchld, SIGCHLD);
    ::pthread_sigmask(SIG_BLOCK, &sigchld, &previous_);
  }
  ~SigchldBlocked() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SigchldBlocked(const SigchldBlocked&) = delete;
  SigchldBlocked& operator=(const SigchldBlocked&) = delete;

 private:
  sigset_t previous_;
};

bool IsUnreapedChild(pid_t pid) {
  siginfo_t info = {};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info,
                  WEXITED | WNOHANG | WNOWAIT) == 0;
}

}  // namespace

absl::Status ChildReaper::Adopt(pid_t pid) {
  if (pid <= 0 || !IsUnreapedChild(pid)) {
    return absl::FailedPreconditionError(
        absl::StrCat("ChildReaper::Adopt(", pid,
                     "): not an unreaped child of this "
                     "process"));
  }
  if (absl::Status s = InstallOnce(); !s.ok()) return s;
  if (g_install_state.load() == kKernelReaps) return absl::OkStatus();
  {
    SigchldBlocked blocked;
    bool stored = false;
    for (std::atomic<pid_t>& slot : g_slots) {
      pid_t expected = 0;
      if (slot.compare_exchange_strong(expected, pid)) {
        stored = true;
        break;
      }
    }
    if (!stored) {
      return absl::ResourceExhaustedError(
          absl::StrCat("ChildReaper::Adopt(", pid, "): ", kCapacity,
                       " children are already handed over and still running"));
    }
    // It may have ended before the slot was filled: its SIGCHLD found
    // nothing to reap then.
    Sweep();
  }
  return absl::OkStatus();
}

int ChildReaper::ReapEnded() {
  SaveErrno keep_errno;
  SigchldBlocked blocked;
  return Sweep();
}

int ChildReaper::PendingCount() {
  int count = 0;
  for (const std::atomic<pid_t>& slot : g_slots) {
    if (slot.load() != 0) ++count;
  }
  return count;
}

bool ChildReaper::HandlerInstalled() {
  return g_install_state.load() == kInstalled;
}

namespace process_internal {

void ForgetReaperTableAfterFork() {
  for (std::atomic<pid_t>& slot : g_slots) slot.store(0);
}

}  // namespace process_internal
}  // namespace ipcbox
