// scoped_sigpipe_block.h
//
// `ScopedSigpipeBlock` lets the calling thread write to a pipe whose reader
// may be gone and get EPIPE back instead of being killed by SIGPIPE. It
// blocks SIGPIPE in this thread only, for the scope, and discards the
// SIGPIPE that a failed write raised; the process's disposition is left
// alone. lib/pipe's writes use one internally; hold one around a loop of
// writes so that only the outermost scope pays its two pthread_sigmask()
// calls:
//
//   ScopedSigpipeBlock sigpipe;  // SIGPIPE blocked in this thread
//   ssize_t n = RetryOnEintr([&] { return ::write(fd, data, size); });
//   if (n < 0 && errno == EPIPE) sigpipe.DiscardRaisedSigpipe();
//   // ~ScopedSigpipeBlock: the thread's mask is as it was.
//
// Inside a scope, do not unblock SIGPIPE yourself; a child forked inside it
// inherits the blocked mask. A SIGPIPE that was pending before the scope is
// the caller's and is left pending. lib/pipe's README.md has the full rules,
// the cost, and why no cheaper scheme is correct.

#ifndef IPCBOX_PIPE_SCOPED_SIGPIPE_BLOCK_H_
#define IPCBOX_PIPE_SCOPED_SIGPIPE_BLOCK_H_

#include "ipcbox/pipe/ignore_sigpipe.h"

namespace ipcbox {

class ScopedSigpipeBlock {
 public:
  // Blocks SIGPIPE in the calling thread and notes whether one is pending;
  // nothing to do if a scope is already held in this thread.
  ScopedSigpipeBlock() {
    if (depth_ == 0) EnterOutermost();
    ++depth_;
  }
  // Restores the thread's mask when the outermost scope ends: unblocks
  // SIGPIPE if that scope blocked it.
  ~ScopedSigpipeBlock() {
    if (depth_ == 1) {
      LeaveOutermost();
    } else {
      --depth_;
    }
  }

  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

  // Call after a write in this scope failed with EPIPE: removes the SIGPIPE
  // that the write left pending, unless a SIGPIPE was pending before the
  // scope began. Does nothing if none is pending. Must be called on the
  // thread that created the object (the mask and the signal are per thread).
  void DiscardRaisedSigpipe();

  // True while a scope is alive in the calling thread, i.e. SIGPIPE is
  // blocked by ipcbox and a write needs no guard of its own.
  static bool HeldInThisThread() { return depth_ != 0; }

  // True if a pipe write needs no scope of its own now: one is held in this
  // thread, or the program declared SIGPIPE ignored (ignore_sigpipe.h).
  static bool WriteNeedsNoGuard() {
    return depth_ != 0 || SigpipeIgnoredByProgram();
  }

 private:
  void EnterOutermost();
  void LeaveOutermost();

  // Scopes alive in this thread (a signal handler's scopes nest properly).
  // Defined in the .cc, not `inline`: gold cannot link an inline
  // thread_local member on armv7 ("undefined or discarded symbol in GOT").
  static thread_local int depth_;
  // A SIGPIPE was pending when the thread's outermost scope began: it is the
  // caller's, not one a write raised, and is left alone.
  static thread_local bool caller_had_pending_;
  // Only in the outermost scope: this object is the one that blocked it.
  bool unblock_on_exit_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_SCOPED_SIGPIPE_BLOCK_H_
