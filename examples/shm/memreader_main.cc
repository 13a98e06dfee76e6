// memreader: the seed article's memreader on lib/shm and lib/semaphore.
//
//   $ memreader          # with a memwriter running
//   This is the way the world ends...
//
// See memreader.h for what it does and where it differs from the C program.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/shm/flags.h"
#include "examples/shm/memreader.h"
#include "examples/shm/shmem.h"

ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "How long to wait for the turn (the writer's post or an earlier "
          "reader's); the seed waits forever.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "memreader [flags]: reads memwriter's message from POSIX shared memory "
      "once the semaphore says it is there.");
  absl::StatusOr<ipcbox::examples::ShmemOptions> shmem =
      ipcbox::examples::ShmemOptionsFromFlags();
  if (!shmem.ok()) {
    std::fprintf(stderr, "memreader: %s\n", shmem.status().ToString().c_str());
    return 2;
  }
  ipcbox::examples::MemreaderOptions options;
  options.shmem = *shmem;
  options.timeout = absl::GetFlag(FLAGS_timeout);
  return ipcbox::examples::RunMemreader(options, stdout, stderr);
}
