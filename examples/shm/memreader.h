// memreader.h
//
// The seed article's memreader ("Example 4. Source code for the memreader
// process") as a function: it maps the existing POSIX shared memory object
// /shMemEx, opens (or creates) the named semaphore "mysemaphore", waits
// until the writer posts it, prints the text in the memory, and posts the
// semaphore again.
//
//   $ memreader
//   This is the way the world ends...
//
// Example (a reader that gives up after 5 s instead of waiting forever):
//
//   MemreaderOptions options;
//   options.timeout = absl::Seconds(5);
//   int exit_code = RunMemreader(options, stdout, stderr);
//
// Start the writer first, as with the C programs: without the memory the
// reader fails ("Can't get file descriptor..."). //examples/shm:memreader
// calls it with flags whose defaults are the seed's values; it reads what a
// C memwriter wrote, and a C memreader reads ipcbox's.
//
// Where it differs from the C program, on purpose:
// - It maps the memory read-only (it only reads).
// - It prints the C string the writer left, up to its NUL and never past the
//   end of the memory, rather than strlen(MemContents) bytes whatever the
//   writer wrote: a reader does not trust a peer's memory for lengths. For
//   the seed's writer the bytes printed are the same.
// - The wait has a time limit, 30 s by default (the seed waits forever);
//   the message says whether a live earlier reader holds the semaphore or
//   the writer never posted. An earlier reader killed between its wait and
//   its post does not block later ones: its turn is given back
//   (recoverable_semaphore.h).
// - A writer that shrinks the memory (ftruncate) is reported, not a SIGBUS.
// - It removes nothing. (The C reader calls unlink("/shMemEx"), meaning
//   shm_unlink, which does nothing.) A semaphore it had to create itself is
//   removed when it exits, as every ipcbox creator does.

#ifndef IPCBOX_EXAMPLES_SHM_MEMREADER_H_
#define IPCBOX_EXAMPLES_SHM_MEMREADER_H_

#include <cstdio>

#include "absl/time/time.h"
#include "examples/shm/shmem.h"

namespace ipcbox::examples {

struct MemreaderOptions {
  ShmemOptions shmem;
  // How long to wait for the turn: the writer's post, or an earlier reader
  // handing it on. Finite, unlike the seed: a writer that never posts must
  // not hang the reader.
  absl::Duration timeout = absl::Seconds(30);
};

// Runs the memreader, printing the text to `out` and failures to `err`.
// Returns the exit status: 0, or kSeedFailureExit after printing the seed's
// message for the step that failed ("Can't get file descriptor...",
// "sem_open", or "sem_wait" when the time limit passed) with the reason.
int RunMemreader(const MemreaderOptions& options, std::FILE* out,
                 std::FILE* err);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_MEMREADER_H_
