// captured_child.h
//
// Runs a function in a forked child with one of its output streams captured,
// for the tour and the tests: the ported programs are library functions
// that print to a FILE*, and here that FILE* is a pipe back to the parent.
//
// Example:
//
//   absl::StatusOr<CapturedRun> run = RunInChild(
//       [&](std::FILE* captured) {
//         return RunConsumer(options, captured, stderr);
//       },
//       absl::Seconds(10));
//   if (run.ok() && run->exit_code == 0) Use(run->output);
//
// Every wait is bounded: a child still running at the deadline is killed
// with SIGKILL and reported as an error.

#ifndef IPCBOX_EXAMPLES_SHARED_FILE_CAPTURED_CHILD_H_
#define IPCBOX_EXAMPLES_SHARED_FILE_CAPTURED_CHILD_H_

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipcbox::examples {

struct CapturedRun {
  pid_t pid = -1;
  int exit_code = -1;
  std::string output;  // everything the child wrote to the captured stream
};

// Forks; the child runs `fn(captured)` and exits with its result. Fails if
// the fork or pipe fails, the child is killed by a signal, or it has not
// finished within `timeout`.
absl::StatusOr<CapturedRun> RunInChild(absl::FunctionRef<int(std::FILE*)> fn,
                                       absl::Duration timeout);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHARED_FILE_CAPTURED_CHILD_H_
