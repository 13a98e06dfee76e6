// fifo_writer: the seed's fifoWriter on lib/fifo; see fifo_channel.h.
//
//   $ fifo_writer &   # creates ./fifoChannel, waits for a reader
//   $ fifo_reader
//   Received ints: 768000, primes: 37682
//   768000 ints sent to the pipe.

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/octal_mode.h"
#include "examples/common/program_flags.h"
#include "examples/fifo/fifo_channel.h"
#include "ipcbox/core/permissions.h"

using ipcbox::examples::OctalMode;

ABSL_FLAG(std::string, fifo_path, ipcbox::examples::kFifoChannelPath,
          "the FIFO to create and write (the seed's pipeName)");
ABSL_FLAG(int, max_loops, ipcbox::examples::kMaxLoops,
          "rounds of writes (the seed's MaxLoops)");
ABSL_FLAG(int, chunk_size, ipcbox::examples::kChunkSize,
          "chunks written per round (the seed's ChunkSize)");
ABSL_FLAG(int, ints_per_chunk, ipcbox::examples::kIntsPerChunk,
          "4-byte ints per chunk, i.e. per write (the seed's IntsPerChunk)");
ABSL_FLAG(int, max_zs, ipcbox::examples::kMaxZs,
          "pause after each round: rand() % max_zs + 1 microseconds (the "
          "seed's MaxZs)");
ABSL_FLAG(bool, pauses, true,
          "sleep after each round as the seed does; --nopauses skips the "
          "sleep (the rand() draw stays, so the ints are the same)");
ABSL_FLAG(OctalMode, mode, OctalMode{ipcbox::examples::kFifoChannelMode},
          "the mode of the FIFO if this program creates it, exact whatever "
          "the umask");
ABSL_FLAG(absl::Duration, open_timeout, absl::InfiniteDuration(),
          "how long to wait for a reader (the seed waits forever)");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(argc, argv,
                                      "fifo_writer [flags]: writes integers "
                                      "into a named pipe, for fifo_reader.");
  absl::StatusOr<ipcbox::Permissions> permissions =
      ipcbox::Permissions::FromMode(absl::GetFlag(FLAGS_mode).mode);
  if (!permissions.ok()) {
    std::fprintf(stderr, "fifo_writer: %s\n",
                 permissions.status().ToString().c_str());
    return 2;
  }
  ipcbox::examples::FifoWriterOptions options;
  options.fifo_path = absl::GetFlag(FLAGS_fifo_path);
  options.max_loops = absl::GetFlag(FLAGS_max_loops);
  options.chunk_size = absl::GetFlag(FLAGS_chunk_size);
  options.ints_per_chunk = absl::GetFlag(FLAGS_ints_per_chunk);
  options.max_zs = absl::GetFlag(FLAGS_max_zs);
  options.pauses = absl::GetFlag(FLAGS_pauses);
  options.permissions = *permissions;
  options.open_timeout = absl::GetFlag(FLAGS_open_timeout);

  absl::StatusOr<int64_t> sent = ipcbox::examples::RunFifoWriter(options);
  if (!sent.ok()) {
    std::fprintf(stderr, "fifo_writer: %s\n", sent.status().ToString().c_str());
    return 1;
  }
  std::fputs(ipcbox::examples::FifoWriterLine(*sent).c_str(), stdout);
  return 0;
}
