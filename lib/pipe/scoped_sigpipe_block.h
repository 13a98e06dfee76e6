// scoped_sigpipe_block.h
//
// `ScopedSigpipeBlock` lets the calling thread write to a pipe whose reader
// may be gone and get EPIPE back instead of being killed by SIGPIPE.
//
// A write to a pipe (or FIFO) with no reader fails with EPIPE and also sends
// SIGPIPE to the writing thread; SIGPIPE's default action terminates the
// process. Sockets can opt out per call with MSG_NOSIGNAL; pipes cannot.
// Changing the process's SIGPIPE disposition is not a library's business
// (it is inherited across exec, and the application may rely on it), so
// ipcbox blocks SIGPIPE in the calling thread only, for the duration of the
// write, and throws away the SIGPIPE that the write itself raised:
//
//   ScopedSigpipeBlock sigpipe;  // SIGPIPE blocked in this thread
//   ssize_t n = RetryOnEintr([&] { return ::write(fd, data, size); });
//   if (n < 0 && errno == EPIPE) sigpipe.DiscardRaisedSigpipe();
//   // ~ScopedSigpipeBlock: the thread's mask is as it was.
//
// This is safe with threads: a signal mask is per thread, and the kernel
// directs the SIGPIPE of a failed write at the thread that wrote, so each
// thread consumes only its own. A SIGPIPE that was already pending before
// the scope began (the caller blocks SIGPIPE and one arrived) belongs to the
// caller and is left pending: ordinary signals do not queue, so the write's
// SIGPIPE merges into it and discarding "ours" would discard theirs.
// (Corner case: if the pending one was sent to the whole process rather
// than to this thread, the write's own SIGPIPE stays pending as well.)
//
// Cost: the outermost scope of a thread makes one pthread_sigmask() on entry
// and one on exit (when the thread did not block SIGPIPE already; when it
// did, one pthread_sigmask() and one sigpending()). A scope opened while
// another is alive in the same thread costs no system call, and the writes
// of lib/pipe (and FIFOs) check for one: a thread that holds a scope across
// a loop of writes pays the two calls once, and each write inside costs what
// write(2) costs. sigtimedwait() runs only after EPIPE. No allocation.
//
//   ScopedSigpipeBlock sigpipe;  // once, around the hot loop
//   for (...) status = writer.WriteAll(record);  // no extra system call
//
// While a scope is held, SIGPIPE stays blocked in that thread: do not
// unblock it yourself inside the scope, and know that a child forked inside
// it inherits the blocked mask (exec keeps it). A SIGPIPE sent to the thread
// from outside while the scope is held is indistinguishable from one a write
// raised, and an EPIPE write inside the scope takes it.
//
// There is no cheaper correct scheme for a write outside any scope: the
// kernel raises SIGPIPE in the write itself, no flag turns it off
// (MSG_NOSIGNAL is for sockets only), checking for a reader first races with
// the reader closing, and caching whether SIGPIPE is ignored breaks as soon
// as anyone changes the disposition. A program that ignores SIGPIPE for
// good says so once with `IgnoreSigpipe()` (ignore_sigpipe.h); then scopes
// and writes make no extra system call in any thread.

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
