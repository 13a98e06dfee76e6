// pipe_un: the seed article's pipeUN program on lib/pipe.
//
//   $ pipe_un
//   Nature's first green is gold
//
// Unlike the C original it reports errors instead of ignoring them, its
// descriptors are close-on-exec, and a child whose standard output is a
// closed pipe (`pipe_un | true`) fails with a status instead of dying of
// SIGPIPE.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "examples/common/program_flags.h"
#include "examples/pipe/pipe_un_lib.h"

ABSL_FLAG(std::string, message, std::string(ipcbox::examples::kPipeUnMessage),
          "The bytes the parent writes into the pipe.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "pipe_un [--message=TEXT]: a parent writes through an unnamed pipe to "
      "its forked child.");
  absl::StatusOr<ipcbox::examples::PipeUnRun> run =
      ipcbox::examples::RunPipeUn(absl::GetFlag(FLAGS_message), STDOUT_FILENO);
  if (!run.ok()) {
    std::fprintf(stderr, "pipe_un: %s\n", run.status().ToString().c_str());
    return 1;
  }
  return 0;
}
