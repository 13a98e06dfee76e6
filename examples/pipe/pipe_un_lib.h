// pipe_un_lib.h
//
// The seed article's pipeUN program as a function: the parent creates an
// unnamed pipe and forks; the child echoes what it reads from the pipe to
// `output_fd` until end-of-stream; the parent writes `message`, closes its
// end (which ends the child's stream) and waits for the child.
//
//   absl::StatusOr<PipeUnRun> run = RunPipeUn("Nature's first green is gold\n",
//                                            STDOUT_FILENO);
//
// //examples/pipe:pipe_un calls it with the seed's message and standard
// output, and the tour with a pipe it reads back to verify the echo.

#ifndef IPCBOX_EXAMPLES_PIPE_PIPE_UN_LIB_H_
#define IPCBOX_EXAMPLES_PIPE_PIPE_UN_LIB_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

inline constexpr absl::string_view kPipeUnMessage =
    "Nature's first green is gold\n";

// What happened, for callers that report on it.
struct PipeUnRun {
  pid_t child = -1;
  size_t bytes_written = 0;
};

// Fails if the pipe or the fork fails, if the parent cannot write, or if the
// child does not exit with 0 (it could not echo, e.g. `output_fd` is closed).
absl::StatusOr<PipeUnRun> RunPipeUn(absl::string_view message, int output_fd);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PIPE_PIPE_UN_LIB_H_
