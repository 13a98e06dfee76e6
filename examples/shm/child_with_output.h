// child_with_output.h
//
// Runs one of the example functions in a forked child with one of its
// output streams going to a pipe that the parent reads while the child
// runs: the tour and the tests wait for the writer's report before starting
// the reader, as a user waits for memwriter's lines before typing memreader.
//
//   absl::StatusOr<ChildWithOutput> writer = ChildWithOutput::Start(
//       [&](std::FILE* err) { return RunMemwriter(options, err); });
//   absl::Status seen = writer->ReadUntil("backing file:", deadline);
//   ...
//   absl::StatusOr<ChildWithOutput::Result> done = writer->Finish(deadline);
//
// Every wait is bounded by a deadline; a child still running when its
// object is destroyed is killed with SIGKILL and reaped. The fork, the wait
// and the kill are the library's (ForkFunction() and Child from
// ipcbox/process); this adds the stream and reading it while the child runs.

#ifndef IPCBOX_EXAMPLES_SHM_CHILD_WITH_OUTPUT_H_
#define IPCBOX_EXAMPLES_SHM_CHILD_WITH_OUTPUT_H_

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/process/child.h"

namespace ipcbox::examples {

class ChildWithOutput {
 public:
  struct Result {
    int exit_code = -1;
    std::string output;  // everything the child wrote to the stream
    pid_t pid = -1;
  };

  // Forks; the child calls `fn(stream)` and exits with its result, where
  // `stream` is the write end of the pipe.
  static absl::StatusOr<ChildWithOutput> Start(
      absl::FunctionRef<int(std::FILE*)> fn);

  // Start() and Finish() in one: runs `fn` to the end, by `deadline`.
  static absl::StatusOr<Result> Run(absl::FunctionRef<int(std::FILE*)> fn,
                                    Deadline deadline);

  ChildWithOutput(ChildWithOutput&& other) noexcept = default;
  ChildWithOutput& operator=(ChildWithOutput&&) = delete;
  ChildWithOutput(const ChildWithOutput&) = delete;

  pid_t pid() const { return child_.pid(); }

  // Reads until the output so far contains `marker`; kDeadlineExceeded or
  // kFailedPrecondition (the child closed the stream first) otherwise.
  absl::Status ReadUntil(absl::string_view marker, Deadline deadline);

  // Reads to end of stream and reaps the child. kDeadlineExceeded (after
  // killing it) if it has not exited by `deadline`, kAborted if a signal
  // killed it.
  absl::StatusOr<Result> Finish(Deadline deadline);

  // What has been read so far.
  const std::string& output() const { return output_; }

 private:
  ChildWithOutput(Child child, PipeReader reader)
      : child_(std::move(child)), reader_(std::move(reader)) {}

  // One read of what is available; false at end of stream.
  absl::StatusOr<bool> ReadSome(Deadline deadline);

  // Declared before the pipe, so destroyed after it: the child sees EPIPE
  // rather than blocking on a full pipe while it is being killed.
  Child child_;
  PipeReader reader_;
  std::string output_;
};

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_CHILD_WITH_OUTPUT_H_
