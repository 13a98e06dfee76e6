// stdio_plan.h
//
// Internal to lib/process: turns a `ChildStdio` into descriptors, in the
// parent and before the child exists, so that starting the child is only
// dup2() and close() (async-signal-safe, no allocation).
//
// Example (what `ForkFunction()` does around its fork()):
//
//   absl::StatusOr<StdioPlan> plan = PrepareStdio(options.stdio);
//   if (!plan.ok()) return plan.status();        // nothing forked yet
//   if (::fork() == 0 && ApplyInForkedChild(*plan) != 0) _exit(127);
//   PipeReader out = std::move(plan->stdout_reader);  // the parent's end
//
// Every descriptor the plan holds is close-on-exec and numbered 3 or above,
// even when the parent runs with stdin, stdout or stderr closed (pipe() then
// hands out 0, 1 or 2): a low-numbered source could otherwise be overwritten
// by an earlier dup2() onto it before it is itself copied.

#ifndef IPCBOX_PROCESS_INTERNAL_STDIO_PLAN_H_
#define IPCBOX_PROCESS_INTERNAL_STDIO_PLAN_H_

#include <array>

#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/process/child_stdio.h"

namespace ipcbox {
namespace process_internal {

struct StdioPlan {
  // What to dup2() onto descriptor 0, 1 and 2; -1 leaves it as it is.
  int source[3] = {-1, -1, -1};
  // dup2(1, 2) after the others: `Stdio::SameAsStdout()`.
  bool stderr_same_as_stdout = false;
  // The descriptors opened for the child (pipe ends, /dev/null, copies of
  // borrowed descriptors): the parent closes them once the child exists.
  std::array<Fd, 7> child_side;
  // The parent's ends of `Stdio::Pipe()` descriptors.
  PipeWriter stdin_writer;
  PipeReader stdout_reader;
  PipeReader stderr_reader;
};

// Opens what `stdio` asks for. kInvalidArgument for `Stdio::Fd()` of a
// descriptor that is not open, or `SameAsStdout()` anywhere but stderr.
absl::StatusOr<StdioPlan> PrepareStdio(const ChildStdio& stdio);

// In a forked child (no exec follows): makes the dup2() calls, then closes
// every descriptor of the plan, the parent's ends included, so that the
// child holds no copy of its own stdin's write end (it would never see
// end-of-file). Only dup2() and close(): async-signal-safe. Returns 0, or
// the errno of the dup2() that failed.
int ApplyInForkedChild(const StdioPlan& plan);

}  // namespace process_internal
}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_INTERNAL_STDIO_PLAN_H_
