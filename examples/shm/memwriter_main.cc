// memwriter: the seed article's memwriter on lib/shm and lib/semaphore.
//
//   $ memwriter &
//   shared mem address: 0x7f0c5e1a2000 [0..511]
//   backing file:		/dev/shm/shMemEx
//   $ memreader          # within 12 seconds
//   This is the way the world ends...
//
// See memwriter.h for what it does and where it differs from the C program.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/shm/flags.h"
#include "examples/shm/memwriter.h"
#include "examples/shm/shmem.h"

ABSL_FLAG(std::string, contents, std::string(ipcbox::examples::kMemContents),
          "The text written into the shared memory (the seed's MemContents).");
ABSL_FLAG(int, sleep_seconds, ipcbox::examples::kWriterSleepSeconds,
          "How long the memory stays for the reader before it is removed.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "memwriter [flags]: writes a message into POSIX shared memory, guarded "
      "by a named semaphore, for memreader.");
  absl::StatusOr<ipcbox::examples::ShmemOptions> shmem =
      ipcbox::examples::ShmemOptionsFromFlags();
  if (!shmem.ok()) {
    std::fprintf(stderr, "memwriter: %s\n", shmem.status().ToString().c_str());
    return 2;
  }
  ipcbox::examples::MemwriterOptions options;
  options.shmem = *shmem;
  options.contents = absl::GetFlag(FLAGS_contents);
  options.linger = absl::Seconds(absl::GetFlag(FLAGS_sleep_seconds));
  return ipcbox::examples::RunMemwriter(options, stderr);
}
