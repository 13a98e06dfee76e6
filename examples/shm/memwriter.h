// memwriter.h
//
// The seed article's memwriter ("Example 3. Source code for the memwriter
// process") as a function: it creates (or opens) the POSIX shared memory
// object /shMemEx of 512 bytes, reports where it is mapped, opens (or
// creates) the named semaphore "mysemaphore" at 0, copies the text into the
// memory, posts the semaphore so that a reader may go ahead, waits 12
// seconds for the reader, and removes the memory.
//
//   $ memwriter
//   shared mem address: 0x7f0c5e1a2000 [0..511]
//   backing file:		/dev/shm/shMemEx
//
// Example (the seed's values, but waiting 1 s for the reader, not 12):
//
//   MemwriterOptions options;
//   options.linger = absl::Seconds(1);
//   int exit_code = RunMemwriter(options, stderr);  // lines go to stderr
//
// //examples/shm:memwriter calls it with flags whose defaults are the seed's
// values; the tour and the tests call it in forked children. A C memreader
// reads what it wrote, and ipcbox's memreader reads the C memwriter's.
//
// Where it differs from the C program, on purpose:
// - The memory is sized with posix_fallocate (lib/shm), so a full /dev/shm
//   is an error here rather than a SIGBUS later; the permissions are applied
//   exactly, whatever the umask.
// - Posts left on the semaphore by an earlier run are taken back before
//   writing. The C programs never remove the semaphore and the reader posts
//   after reading, so after one run "mysemaphore" stays at 1 and the next
//   run's reader could get through before the text is written.
// - The semaphore is removed at the end, with the memory, so nothing is
//   left in /dev/shm; a reader that has it open keeps using it.
// - It keeps the seed's mode (0644, --access_perms) so that the C programs
//   interoperate, but it refuses a memory object or semaphore that another
//   user created first, or one wider than that mode (lib/core
//   ownership_check.h): the seed would write into a stranger's object.
// - Next to the semaphore it keeps a holder record ("<name>.holder",
//   recoverable_semaphore.h) so that readers recover a dead reader's turn;
//   it removes the record with the semaphore.

#ifndef IPCBOX_EXAMPLES_SHM_MEMWRITER_H_
#define IPCBOX_EXAMPLES_SHM_MEMWRITER_H_

#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "examples/shm/shmem.h"

namespace ipcbox::examples {

struct MemwriterOptions {
  ShmemOptions shmem;
  std::string contents = std::string(kMemContents);
  // The seed's sleep(12): how long the memory stays for the reader.
  absl::Duration linger = absl::Seconds(kWriterSleepSeconds);
};

// Runs the memwriter, printing what the seed prints to `err`. Returns the
// exit status: 0, or kSeedFailureExit after printing the seed's message for
// the step that failed ("Can't open shared mem segment...", "sem_open",
// "sem_post") with the reason.
int RunMemwriter(const MemwriterOptions& options, std::FILE* err);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_MEMWRITER_H_
