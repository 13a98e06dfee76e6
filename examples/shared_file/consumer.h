// consumer.h
//
// The seed article's consumer program ("Example 2. The consumer program") as
// a function: it opens the shared file read-only, gives up if a writer holds
// it, otherwise reads it under a shared fcntl lock and copies it to standard
// output.
//
//   $ consumer
//   Now is the winter of our discontent
//   Made glorious summer by this sun of York
//
// Example (what //examples/shared_file:consumer runs, flags aside):
//
//   int exit_code = RunConsumer(ConsumerOptions(), stdout, stderr);
//
// Where the seed says only "file is still write locked...", this one says
// by whom; and it tells an absent file from an empty one.

#ifndef IPCBOX_EXAMPLES_SHARED_FILE_CONSUMER_H_
#define IPCBOX_EXAMPLES_SHARED_FILE_CONSUMER_H_

#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "examples/shared_file/producer.h"

namespace ipcbox::examples {

struct ConsumerOptions {
  std::string file = std::string(kSharedFileName);
  // How long to wait for a writer to finish; the seed does not wait.
  absl::Duration wait = absl::ZeroDuration();
};

// Runs the consumer: the file's bytes to `out`, diagnostics to `err`.
// Returns 0 (data), or kSeedFailureExit with the seed's message for the
// step that failed: "open to read failed..." (absent: "No such file or
// directory"), "file is still write locked..." (with the writer's pid), or
// "<file> is empty" (the seed prints nothing and exits 0; but an empty file
// is what a producer killed before its first write completed leaves, so
// it is a failure here).
int RunConsumer(const ConsumerOptions& options, std::FILE* out, std::FILE* err);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHARED_FILE_CONSUMER_H_
