// producer.h
//
// The seed article's producer program ("Example 1. The producer program") as
// a function: it opens (or creates) the shared file, takes an exclusive fcntl
// lock on all of it without waiting, writes the two lines from Richard III,
// reports on standard error and unlocks.
//
//   $ producer
//   Process 29255 has written to data file...
//
// Example (what //examples/shared_file:producer runs, flags aside):
//
//   ProducerOptions options;  // data.dat, the two lines, mode 0666
//   int exit_code = RunProducer(options, stderr);  // 255 if data.dat is locked
//
// //examples/shared_file:producer calls it with flags whose defaults are the
// seed's values; the tour and the tests call it in forked children. It
// interoperates with the seed's own consumer (and ipcbox's with the seed's
// producer): same file name, same lock kind (classic fcntl record locks over
// the whole file), same bytes.

#ifndef IPCBOX_EXAMPLES_SHARED_FILE_PRODUCER_H_
#define IPCBOX_EXAMPLES_SHARED_FILE_PRODUCER_H_

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipcbox::examples {

// The seed's FileName and DataString.
inline constexpr absl::string_view kSharedFileName = "data.dat";
inline constexpr absl::string_view kSharedFileData =
    "Now is the winter of our discontent\n"
    "Made glorious summer by this sun of York\n";
// The mode the seed passes to open(). ipcbox applies it exactly (the seed's
// file gets it minus the umask, usually 0644).
inline constexpr mode_t kSharedFileMode = 0666;

// The seed's exit(-1), as the shell sees it.
inline constexpr int kSeedFailureExit = 255;

// The seed's report_and_exit(): prints "what: why" on `err` and returns
// kSeedFailureExit for the program to exit with.
int SeedFail(std::FILE* err, absl::string_view what, absl::string_view why);

struct ProducerOptions {
  std::string file = std::string(kSharedFileName);
  std::string data = std::string(kSharedFileData);
  mode_t mode = kSharedFileMode;
  // How long to wait for the lock; the seed does not wait (F_SETLK).
  absl::Duration wait = absl::ZeroDuration();
};

// Runs the producer, printing what the seed prints to `err`. Returns the exit
// status: 0, or kSeedFailureExit after printing the seed's message for the
// step that failed ("open failed...", "fcntl failed to get lock...") with
// the reason (and, for a lock in the way, the holder's pid).
int RunProducer(const ProducerOptions& options, std::FILE* err);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHARED_FILE_PRODUCER_H_
