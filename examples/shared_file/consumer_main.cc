// consumer: the seed article's consumer program on lib/shared_file.
//
//   $ consumer
//   Now is the winter of our discontent
//   Made glorious summer by this sun of York
//
// Flags default to the seed's values.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/shared_file/consumer.h"

ABSL_FLAG(std::string, file, std::string(ipcbox::examples::kSharedFileName),
          "The shared file (the seed's FileName).");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(),
          "How long to wait for a writer to finish (the seed: 0).");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "consumer [flags]: reads producer's shared file under a shared lock.");
  ipcbox::examples::ConsumerOptions options;
  options.file = absl::GetFlag(FLAGS_file);
  options.wait = absl::GetFlag(FLAGS_wait);
  return ipcbox::examples::RunConsumer(options, stdout, stderr);
}
