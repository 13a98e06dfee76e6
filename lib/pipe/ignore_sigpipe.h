// ignore_sigpipe.h
//
// `IgnoreSigpipe()` is a program's declaration, made once, that SIGPIPE is
// ignored in the whole process from now on. It sets SIGPIPE to SIG_IGN and
// tells lib/pipe so: every pipe and FIFO write of ipcbox, in every thread,
// is then a bare write(2) that fails with an EPIPE status when the reader
// is gone, with no pthread_sigmask() around it and no `ScopedSigpipeBlock`
// needed (a scope opened afterwards makes no system call).
//
//   int main() {
//     if (absl::Status s = ipcbox::IgnoreSigpipe(); !s.ok()) return 1;
//     ...  // writes to a closed pipe: EPIPE statuses, no signal, no masking
//   }
//
// The declaration is the program's, not the library's: ipcbox never calls
// this itself. In return the program must not give SIGPIPE a handler or
// SIG_DFL again (ipcbox no longer guards its writes, so such a write could
// kill the process). SIG_IGN is inherited across fork() and exec(): a child
// that runs a program relying on the default (a filter killed when its
// output closes) restores SIG_DFL between fork and exec.

#ifndef IPCBOX_PIPE_IGNORE_SIGPIPE_H_
#define IPCBOX_PIPE_IGNORE_SIGPIPE_H_

#include <atomic>

#include "absl/status/status.h"

namespace ipcbox {

// Sets SIGPIPE's disposition to SIG_IGN for the process and records that
// the program declared it. Fails only if sigaction() does (it cannot with
// these arguments). Safe to call more than once and from any thread.
absl::Status IgnoreSigpipe();

namespace pipe_internal {
// Set once IgnoreSigpipe() has changed the disposition. Relaxed is enough:
// the disposition is kernel state, changed by a system call that returned
// before the store.
extern std::atomic<bool> sigpipe_ignored_by_program;
}  // namespace pipe_internal

// True once the program called IgnoreSigpipe().
inline bool SigpipeIgnoredByProgram() {
  return pipe_internal::sigpipe_ignored_by_program.load(
      std::memory_order_relaxed);
}

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_IGNORE_SIGPIPE_H_
