// What the fifo_writer / fifo_reader examples should produce, computed here
// by other means than the examples use: the same rand() sequence, but a
// different primality test (Miller-Rabin instead of the seed's trial
// division). And a helper that runs the two examples between processes.

#ifndef IPCBOX_TESTS_FIFO_SEED_SEQUENCE_H_
#define IPCBOX_TESTS_FIFO_SEED_SEQUENCE_H_

#include <stdlib.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/fifo/fifo_channel.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

namespace ipcbox::examples {

// Deterministic Miller-Rabin for 32-bit n (bases 2, 7, 61 suffice below
// 4759123141).
inline uint64_t PowMod(uint64_t base, uint64_t exp, uint64_t mod) {
  uint64_t result = 1;
  base %= mod;
  while (exp > 0) {
    if (exp & 1) result = result * base % mod;
    base = base * base % mod;
    exp >>= 1;
  }
  return result;
}

inline bool MillerRabinIsPrime(uint32_t n) {
  if (n < 2) return false;
  // Small factors first: cheap, and most composites stop here.
  for (uint32_t p : {2u, 3u, 5u, 7u, 11u, 13u, 17u, 19u, 23u, 29u, 31u, 37u,
                     41u, 43u, 47u, 53u, 59u, 61u}) {
    if (n % p == 0) return n == p;
  }
  uint32_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  for (uint64_t a : {2u, 7u, 61u}) {
    uint64_t x = PowMod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s; ++r) {
      x = x * x % n;
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

// The counts the reader should print for a writer run with these sizes,
// from glibc's default seed (srand(1), which rand() uses before any srand).
struct Expected {
  uint32_t ints = 0;
  uint32_t primes = 0;
};

inline Expected ExpectedCounts(int rounds, int chunks, int ints_per_chunk) {
  ::srand(1);
  Expected expected;
  for (int i = 0; i < rounds; ++i) {
    for (int j = 0; j < chunks * ints_per_chunk; ++j) {
      ++expected.ints;
      if (MillerRabinIsPrime(static_cast<uint32_t>(::rand()))) {
        ++expected.primes;
      }
    }
    ::rand();  // the pause's draw
  }
  return expected;
}

// Runs fifo_writer in a child (seeded as its own program would be) and
// fifo_reader in this process; returns the reader's counts. The child's
// outcome (it checks its own line) goes to `*writer_error`, empty if fine.
inline absl::StatusOr<FifoReaderCounts> RunWriterAndReader(
    const FifoWriterOptions& writer, std::string* writer_error) {
  absl::StatusOr<testing::ChildProcess> child = testing::ForkChild([&] {
    ::srand(1);
    absl::StatusOr<int64_t> sent = RunFifoWriter(writer);
    if (!sent.ok()) {
      ADD_FAILURE() << sent.status();
      return 2;
    }
    const int64_t want =
        int64_t{writer.max_loops} * writer.chunk_size * writer.ints_per_chunk;
    return FifoWriterLine(*sent) == FifoWriterLine(want) ? 0 : 3;
  });
  if (!child.ok()) return child.status();
  FifoReaderOptions reader;
  reader.fifo_path = writer.fifo_path;
  reader.wait_for_fifo = absl::Seconds(60);
  reader.open_timeout = absl::Seconds(60);
  absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(reader);
  const ::testing::AssertionResult exited =
      testing::ExitedWith(child->Wait(absl::Minutes(10)), 0);
  *writer_error = exited ? "" : exited.message();
  return counts;
}

}  // namespace ipcbox::examples

#endif  // IPCBOX_TESTS_FIFO_SEED_SEQUENCE_H_
