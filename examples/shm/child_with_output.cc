#include "examples/shm/child_with_output.h"

#include <signal.h>

#include <cstdio>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/fork_function.h"

namespace ipcbox::examples {

absl::StatusOr<ChildWithOutput> ChildWithOutput::Start(
    absl::FunctionRef<int(std::FILE*)> fn) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  if (!pipe.ok()) return pipe.status();
  // The stream is a pipe of its own, not the child's stdout or stderr, so
  // that what the function prints elsewhere stays where it was going.
  ForkOptions options;
  options.die_with_parent = true;  // no orphan if the parent dies
  absl::StatusOr<Child> child = ForkFunction(
      [&] {
        pipe->reader = PipeReader();
        std::FILE* stream = ::fdopen(pipe->writer.Release().release(), "w");
        return stream == nullptr ? 127 : fn(stream);
      },
      options);
  if (!child.ok()) return child.status();
  return ChildWithOutput(*std::move(child), std::move(pipe->reader));
}

absl::StatusOr<bool> ChildWithOutput::ReadSome(Deadline deadline) {
  char buf[512];
  absl::StatusOr<size_t> n = reader_.ReadUntil(absl::MakeSpan(buf), deadline);
  if (IsEndOfStream(n.status())) return false;
  if (IsTimedOut(n.status())) {
    return absl::DeadlineExceededError(
        absl::StrCat("child ", pid(), " wrote nothing more in time; so far: \"",
                     output_, "\""));
  }
  if (!n.ok()) return n.status();
  output_.append(buf, *n);
  return true;
}

absl::Status ChildWithOutput::ReadUntil(absl::string_view marker,
                                        Deadline deadline) {
  while (!absl::StrContains(output_, marker)) {
    absl::StatusOr<bool> more = ReadSome(deadline);
    if (!more.ok()) return more.status();
    if (!*more) {
      return absl::FailedPreconditionError(
          absl::StrCat("child ", pid(), " closed its output without \"", marker,
                       "\"; it wrote: \"", output_, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ChildWithOutput::Result> ChildWithOutput::Finish(
    Deadline deadline) {
  for (;;) {
    absl::StatusOr<bool> more = ReadSome(deadline);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  absl::StatusOr<ExitStatus> status = child_.WaitUntil(deadline);
  if (IsTimedOut(status.status())) {
    (void)child_.Signal(SIGKILL);
    (void)child_.WaitFor(absl::Seconds(10));
    return absl::DeadlineExceededError("child did not exit in time; killed");
  }
  if (!status.ok()) return status.status();
  if (!status->exited()) {
    return absl::AbortedError(
        absl::StrCat("child killed by signal ", status->term_signal()));
  }
  return Result{status->exit_code(), output_, pid()};
}

absl::StatusOr<ChildWithOutput::Result> ChildWithOutput::Run(
    absl::FunctionRef<int(std::FILE*)> fn, Deadline deadline) {
  absl::StatusOr<ChildWithOutput> child = Start(fn);
  if (!child.ok()) return child.status();
  return child->Finish(deadline);
}

}  // namespace ipcbox::examples
