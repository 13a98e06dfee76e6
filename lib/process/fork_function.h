// fork_function.h
//
// `ForkFunction()` runs a function in a forked child process and returns
// the `Child` that owns it; the function's return value is the child's exit
// code. Use it for a worker that is part of this program; use `Spawn()` to
// run another program.
//
// Example:
//
//   absl::StatusOr<Child> worker = ForkFunction([&] {
//     return ServeRequests(listener) ? 0 : 1;   // runs in the child
//   });
//   if (!worker.ok()) return worker.status();
//   ...
//   absl::StatusOr<ShutdownReport> report = ShutDown(*worker);
//
// The child is a copy of the parent with a single thread: the one that
// called `ForkFunction()`. Locks that other threads held at the fork stay
// locked in the child, forever. So in a parent that has started threads,
// the function must limit itself to what is safe after fork() in a
// multithreaded program, the async-signal-safe calls (see
// ipcbox/signal/async_signal_safe.h); glibc additionally makes malloc and
// stdio usable there (it takes their locks around fork). In a
// single-threaded parent, anything goes. The library itself makes only
// async-signal-safe calls in the child before calling the function
// (setpgid, prctl, dup2, close, write) and allocates nothing.
//
// The child inherits the parent's signal handlers, mask and descriptors
// (except what `ForkOptions::stdio` replaces, and the parent's ends of the
// pipes, which it closes). All descriptors, close-on-exec or not, since no
// exec follows: among them the parent's pipe ends to OTHER children, and a
// child holding a copy of another child's stdin write end keeps that child
// from ever seeing end-of-file. `close_other_descriptors` closes them all
// (except `keep_open`) before the function runs. Stdio buffers are flushed
// before the fork, so nothing buffered is printed twice, and (by default)
// when the function returns, before _exit(). The child never returns into
// the caller's code and runs no atexit handlers or static destructors.
//
// Errors: fork() failing (EAGAIN: process limit; ENOMEM) is its status; a
// bad `stdio` is kInvalidArgument before anything is forked. The child's own
// set-up (setpgid, prctl, dup2 of descriptors checked in the parent) cannot
// fail in practice; if it ever did, the child would say why on stderr and
// exit with code 127 without running the function. `ForkFunction()` returns
// without waiting for the child to run (no handshake: forking costs one
// fork, as by hand).

#ifndef IPCBOX_PROCESS_FORK_FUNCTION_H_
#define IPCBOX_PROCESS_FORK_FUNCTION_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/child_stdio.h"

namespace ipcbox {

struct ForkOptions {
  ChildStdio stdio;
  // The child leads a new process group (setpgid in both processes, so it
  // holds before either runs on).
  bool new_process_group = false;
  // The child gets SIGKILL if the parent dies first (PR_SET_PDEATHSIG).
  // Linux ties this to the parent THREAD that forked: if that thread exits
  // while the parent lives on, the child is killed too.
  bool die_with_parent = false;
  // Close every inherited descriptor above 2 except those in `keep_open`
  // before the function runs (close_range(2) where the kernel has it, else
  // each descriptor /proc/self/fd lists, whatever its number; without
  // /proc, one close() per descriptor up to RLIMIT_NOFILE).
  bool close_other_descriptors = false;
  std::vector<int> keep_open;
  // fflush(nullptr) after the function returns. Turn off if the function
  // leaves stdio in a state where flushing could block or is unwanted.
  bool flush_stdio_on_exit = true;
};

// Forks; the child runs `fn()` and _exit()s with its result (0..255).
absl::StatusOr<Child> ForkFunction(absl::FunctionRef<int()> fn,
                                   const ForkOptions& options = {});

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_FORK_FUNCTION_H_
