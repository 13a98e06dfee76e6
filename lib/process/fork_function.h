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
// The child has one thread: in a parent that has started threads, the
// function may only make async-signal-safe calls (async_signal_safe.h),
// since locks other threads held stay locked. It inherits every descriptor,
// close-on-exec or not (`close_other_descriptors` closes them), and never
// returns into the caller's code or runs atexit handlers. lib/process's
// README.md has the rules in full.

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
