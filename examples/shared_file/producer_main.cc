// producer: the seed article's producer program on lib/shared_file.
//
//   $ producer
//   Process 29255 has written to data file...
//
// Flags default to the seed's values, so it shares data.dat with the seed's
// consumer (and the seed's producer with ipcbox's consumer).
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/octal_mode.h"
#include "examples/common/program_flags.h"
#include "examples/shared_file/producer.h"

ABSL_FLAG(std::string, file, std::string(ipcbox::examples::kSharedFileName),
          "The shared file (the seed's FileName).");
ABSL_FLAG(std::string, data, std::string(ipcbox::examples::kSharedFileData),
          "What to write into it (the seed's DataString).");
ABSL_FLAG(std::string, mode, "0666",
          "Octal permissions for a file this run creates, applied exactly.");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(),
          "How long to wait for the lock (the seed: 0, it does not wait).");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "producer [flags]: writes records into a shared file under an exclusive "
      "lock, for consumer.");
  ipcbox::examples::ProducerOptions options;
  options.file = absl::GetFlag(FLAGS_file);
  options.data = absl::GetFlag(FLAGS_data);
  options.wait = absl::GetFlag(FLAGS_wait);
  absl::StatusOr<mode_t> mode =
      ipcbox::examples::ParseOctalMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) {
    std::fprintf(stderr, "producer: --mode: %s\n",
                 std::string(mode.status().message()).c_str());
    return 2;
  }
  options.mode = *mode;
  return ipcbox::examples::RunProducer(options, stderr);
}
