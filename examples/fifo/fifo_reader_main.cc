// fifo_reader: the seed's fifoReader on lib/fifo; see fifo_channel.h.
//
//   $ fifo_reader
//   Received ints: 768000, primes: 37682

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/fifo/fifo_channel.h"

ABSL_FLAG(std::string, fifo_path, ipcbox::examples::kFifoChannelPath,
          "the FIFO to read (the seed's file)");
ABSL_FLAG(absl::Duration, wait_for_fifo, absl::ZeroDuration(),
          "how long to wait for the writer to create the FIFO (the seed "
          "gives up at once: start the writer first)");
ABSL_FLAG(absl::Duration, open_timeout, absl::InfiniteDuration(),
          "how long to wait for a writer to open the FIFO (the seed waits "
          "forever)");

ABSL_FLAG(uint32_t, expect_ints, 0,
          "how many ints a complete run has (the seed's writer sends "
          "768000); fewer is an error. 0: not known, only a stream cut "
          "mid-int is an error");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "fifo_reader [flags]: reads fifo_writer's integers from a named pipe.");
  ipcbox::examples::FifoReaderOptions options;
  options.fifo_path = absl::GetFlag(FLAGS_fifo_path);
  options.wait_for_fifo = absl::GetFlag(FLAGS_wait_for_fifo);
  options.open_timeout = absl::GetFlag(FLAGS_open_timeout);
  options.expected_ints = absl::GetFlag(FLAGS_expect_ints);

  absl::StatusOr<ipcbox::examples::FifoReaderCounts> counts =
      ipcbox::examples::RunFifoReader(options);
  if (!counts.ok()) {
    std::fprintf(stderr, "fifo_reader: %s\n",
                 counts.status().ToString().c_str());
    return 1;
  }
  std::fputs(ipcbox::examples::FifoReaderLine(*counts).c_str(), stdout);
  return 0;
}
