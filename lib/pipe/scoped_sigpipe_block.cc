#include "ipcbox/pipe/scoped_sigpipe_block.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/ignore_sigpipe.h"

namespace ipcbox {
namespace {

sigset_t SigpipeSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

}  // namespace

thread_local int ScopedSigpipeBlock::depth_ = 0;
thread_local bool ScopedSigpipeBlock::caller_had_pending_ = false;

void ScopedSigpipeBlock::EnterOutermost() {
  if (SigpipeIgnoredByProgram()) {
    // No write can raise one: nothing to block, nothing to discard.
    unblock_on_exit_ = false;
    caller_had_pending_ = false;
    return;
  }
  const sigset_t sigpipe = SigpipeSet();
  sigset_t previous;
  // Cannot fail: the arguments are valid by construction.
  pthread_sigmask(SIG_BLOCK, &sigpipe, &previous);
  if (!sigismember(&previous, SIGPIPE)) {
    // SIGPIPE was deliverable until this call, so none is pending for the
    // caller: it would have been delivered. (One sent in the very instant
    // of the call is indistinguishable from one sent during the write, and
    // ordinary signals merge.) That saves a sigpending() on the usual path.
    unblock_on_exit_ = true;
    caller_had_pending_ = false;
    return;
  }
  sigset_t pending;
  sigpending(&pending);
  caller_had_pending_ = sigismember(&pending, SIGPIPE);
}

void ScopedSigpipeBlock::LeaveOutermost() {
  // The depth drops before the mask is restored, so that a signal handler
  // running in between sees no scope and guards its own writes.
  depth_ = 0;
  if (!unblock_on_exit_) return;
  const sigset_t sigpipe = SigpipeSet();
  pthread_sigmask(SIG_UNBLOCK, &sigpipe, nullptr);
}

void ScopedSigpipeBlock::DiscardRaisedSigpipe() {
  if (caller_had_pending_ || SigpipeIgnoredByProgram()) return;
  const sigset_t sigpipe = SigpipeSet();
  const struct timespec no_wait = {0, 0};
  // Returns SIGPIPE, or -1/EAGAIN if nothing was pending; either is fine.
  RetryOnEintr([&] { return ::sigtimedwait(&sigpipe, nullptr, &no_wait); });
}

}  // namespace ipcbox
