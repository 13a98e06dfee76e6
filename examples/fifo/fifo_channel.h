// fifo_channel.h
//
// The seed article's fifoWriter and fifoReader ("Using pipes and message
// queues", Examples 2 and 3), on lib/fifo. The writer creates the FIFO
// "./fifoChannel" (mode 0666), opens it for writing (waiting for a reader),
// and writes 12000 rounds of 16 chunks of 4 ints from rand(), pausing a
// random 1..250 microseconds after each round; the reader opens the same
// FIFO, reads ints until end-of-stream and counts them and the primes among
// them. Each prints the seed's line:
//
//   $ fifo_writer                $ fifo_reader
//   768000 ints sent to the pipe.   Received ints: 768000, primes: 37682
//
// Example (each side in its own process, as the binaries do):
//
//   absl::StatusOr<int64_t> sent = RunFifoWriter(FifoWriterOptions());
//   if (sent.ok()) std::fputs(FifoWriterLine(*sent).c_str(), stdout);
//
//   absl::StatusOr<FifoReaderCounts> counts =
//       RunFifoReader(FifoReaderOptions());
//   if (counts.ok()) std::fputs(FifoReaderLine(*counts).c_str(), stdout);
//
// The ints are glibc's rand() sequence from its default seed (the seed never
// calls srand()), so the prime count is the same on every run and every
// architecture: 37682, the number the article prints. The rand() call that
// picks each pause is part of the sequence, so `pauses = false` (for fast
// tests) still makes that call and only skips the sleep.
//
// The programs keep the seed's protocol, so each interoperates with the
// other's C original: the same path, int size and byte order, blocking
// opens, and both sides unlinking the FIFO when done (here: only if the path
// still names the FIFO they used, never a newer one).
//
// Differences from the C originals, all on error paths: write errors and a
// reader that goes away (EPIPE, which killed the C writer with SIGPIPE) are
// reported; a regular file or symbolic link at the path is refused instead
// of written to (the C writer's O_CREAT made a regular file if mkfifo had
// failed); the FIFO gets exactly mode 0666 whatever the umask; and a read
// that ends part-way through an int keeps the bytes for the next read
// instead of dropping them (it never happens with 16-byte writes, which
// the kernel keeps whole).

#ifndef IPCBOX_EXAMPLES_FIFO_FIFO_CHANNEL_H_
#define IPCBOX_EXAMPLES_FIFO_FIFO_CHANNEL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox::examples {

// The seed's constants.
inline constexpr char kFifoChannelPath[] = "./fifoChannel";
inline constexpr int kMaxLoops = 12000;  // outer loop
inline constexpr int kChunkSize = 16;    // chunks written per round
inline constexpr int kIntsPerChunk = 4;  // four 4-byte ints per chunk
inline constexpr int kMaxZs = 250;       // max microseconds to sleep
// The seed's mode, kept for interop with its C programs: anyone may write
// (and feed the reader). A FIFO found at the path is still refused if
// another user made it (lib/fifo's ownership check).
inline constexpr mode_t kFifoChannelMode = 0666;

struct FifoWriterOptions {
  std::string fifo_path = kFifoChannelPath;
  int max_loops = kMaxLoops;
  int chunk_size = kChunkSize;
  int ints_per_chunk = kIntsPerChunk;
  int max_zs = kMaxZs;
  // Sleep (rand() % max_zs) + 1 microseconds after each round, as the seed
  // does. false skips the sleep but still draws the rand() value.
  bool pauses = true;
  Permissions permissions = *Permissions::FromMode(kFifoChannelMode);
  // How long to wait for a reader; infinite, as the seed's blocking open.
  absl::Duration open_timeout = absl::InfiniteDuration();
};

// Runs the writer and returns how many ints it sent. Uses the process's
// rand() state: call it once per process, as the seed's main does.
absl::StatusOr<int64_t> RunFifoWriter(const FifoWriterOptions& options);

// "768000 ints sent to the pipe.\n"
std::string FifoWriterLine(int64_t ints_sent);

struct FifoReaderOptions {
  std::string fifo_path = kFifoChannelPath;
  // How long to wait for the writer to create the FIFO. The seed gives up at
  // once (start the writer first, the article says); zero keeps that.
  absl::Duration wait_for_fifo = absl::ZeroDuration();
  // How long to wait for a writer to open it; infinite, as the seed's
  // blocking open.
  absl::Duration open_timeout = absl::InfiniteDuration();
  // How many ints make a complete run; fewer is DataLoss. 0: not known, so
  // only a stream cut mid-int is an error.
  uint32_t expected_ints = 0;
};

struct FifoReaderCounts {
  uint32_t ints = 0;    // the seed's `total`
  uint32_t primes = 0;  // the seed's `primes_count`
};

// Runs the reader until end-of-stream and returns its counts. A stream
// that ends part-way through an int, or short of `expected_ints`, is
// DataLoss (the writer died), never a count. The reader removes the FIFO
// when it is done, also when it fails (a writer that died before opening
// the FIFO would otherwise leave it behind).
absl::StatusOr<FifoReaderCounts> RunFifoReader(
    const FifoReaderOptions& options);

// "Received ints: 768000, primes: 37682\n"
std::string FifoReaderLine(const FifoReaderCounts& counts);

// The seed's is_prime(), with its semantics: 0 and 1 are not prime, 2 and
// 3 are, and the trial division runs in 32-bit unsigned arithmetic (the
// reader passes each int read, converted to unsigned). For n above 65531^2
// that arithmetic wraps and the seed's answer is wrong; rand() never goes
// there (RAND_MAX is 2^31 - 1), and the port keeps the seed's answer.
bool SeedIsPrime(uint32_t n);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_FIFO_FIFO_CHANNEL_H_
