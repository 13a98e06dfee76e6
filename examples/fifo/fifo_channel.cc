#include "examples/fifo/fifo_channel.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/timeout_error.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/fifo/record_stream.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox::examples {
namespace {

// The seed sends C ints; every architecture ipcbox targets has 4-byte ints,
// and the two programs share the byte order of the machine they run on.
using SeedInt = int32_t;
static_assert(sizeof(int) == sizeof(SeedInt), "the seed's ints are 4 bytes");

// How often the reader looks for a FIFO that is not there yet.
constexpr absl::Duration kFifoPollInterval = absl::Milliseconds(10);

absl::Status CheckWriterOptions(const FifoWriterOptions& options) {
  if (options.max_loops < 0 || options.chunk_size < 0) {
    return absl::InvalidArgumentError(
        "max_loops and chunk_size must not be negative");
  }
  if (options.ints_per_chunk < 1 || options.ints_per_chunk > 1024) {
    return absl::InvalidArgumentError("ints_per_chunk must be 1..1024");
  }
  if (options.max_zs < 1) {
    // The seed computes rand() % MaxZs.
    return absl::InvalidArgumentError("max_zs must be at least 1");
  }
  return absl::OkStatus();
}

// The seed's "pause a bit for realism": the rand() is drawn either way.
void Pause(const FifoWriterOptions& options) {
  const useconds_t micros =
      static_cast<useconds_t>(rand() % options.max_zs) + 1;
  if (options.pauses) ::usleep(micros);
}

absl::StatusOr<Fifo> WaitForFifo(const std::string& path, absl::Duration wait) {
  const Deadline deadline = Deadline::After(wait);
  for (;;) {
    absl::StatusOr<Fifo> fifo = Fifo::OpenExisting(path);
    if (fifo.ok() || !absl::IsNotFound(fifo.status()) || deadline.expired()) {
      return fifo;
    }
    absl::SleepFor(std::min(kFifoPollInterval, deadline.Remaining()));
  }
}

}  // namespace

bool SeedIsPrime(uint32_t n) {
  if (n <= 3) return n > 1;
  if (0 == (n % 2) || 0 == (n % 3)) return false;
  // 32-bit unsigned on purpose, overflow of i * i included: see the header.
  for (uint32_t i = 5; (i * i) <= n; i += 6) {
    if (0 == (n % i) || 0 == (n % (i + 2))) return false;
  }
  return true;
}

absl::StatusOr<int64_t> RunFifoWriter(const FifoWriterOptions& options) {
  if (absl::Status s = CheckWriterOptions(options); !s.ok()) return s;
  // The seed ignores mkfifo's result so that an existing FIFO is used.
  FifoOptions fifo_options;
  fifo_options.open_mode = OpenMode::kOpenOrCreate;
  fifo_options.permissions = options.permissions;
  absl::StatusOr<Fifo> fifo = Fifo::Open(options.fifo_path, fifo_options);
  if (!fifo.ok()) return fifo.status();
  absl::StatusOr<PipeWriter> writer =
      OpenFifoWriter(fifo->path(), Deadline::After(options.open_timeout));
  if (!writer.ok()) {
    return DescribeTimeout(
        writer.status(),
        absl::StrCat("waiting for a reader on ", QuoteForMessage(fifo->path())),
        options.open_timeout);
  }

  std::vector<SeedInt> chunk(options.ints_per_chunk);
  const absl::string_view bytes(reinterpret_cast<const char*>(chunk.data()),
                                chunk.size() * sizeof(SeedInt));
  int64_t sent = 0;
  for (int i = 0; i < options.max_loops; ++i) {
    for (int j = 0; j < options.chunk_size; ++j) {
      for (SeedInt& value : chunk) value = rand();
      // 16 bytes: under PIPE_BUF, so the kernel writes each chunk whole.
      if (absl::Status s = writer->WriteAll(bytes); !s.ok()) return s;
      sent += options.ints_per_chunk;
    }
    Pause(options);
  }
  // Closing is the end-of-stream marker; then the name goes, as in the seed.
  if (absl::Status s = writer->Close(); !s.ok()) return s;
  if (absl::Status s = fifo->Remove(); !s.ok()) return s;
  return sent;
}

std::string FifoWriterLine(int64_t ints_sent) {
  return absl::StrFormat("%d ints sent to the pipe.\n", ints_sent);
}

absl::StatusOr<FifoReaderCounts> RunFifoReader(
    const FifoReaderOptions& options) {
  absl::StatusOr<Fifo> fifo =
      WaitForFifo(options.fifo_path, options.wait_for_fifo);
  if (!fifo.ok()) return fifo.status();
  absl::StatusOr<PipeReader> reader =
      OpenFifoReader(fifo->path(), Deadline::After(options.open_timeout));
  if (!reader.ok()) {
    // A writer killed between creating the FIFO and opening it never
    // comes back to remove it: the reader removes it, as it does at the
    // end of a run (found by //tests/crash).
    fifo->Remove().IgnoreError();
    return DescribeTimeout(
        reader.status(),
        absl::StrCat("waiting for a writer on ", QuoteForMessage(fifo->path())),
        options.open_timeout);
  }

  FifoReaderCounts counts;
  char buf[4096 + sizeof(SeedInt)];
  absl::StatusOr<uint64_t> records = ReadRecordStream(
      *reader, sizeof(SeedInt), absl::MakeSpan(buf),
      [&](absl::Span<const char> whole) {
        for (size_t offset = 0; offset < whole.size();
             offset += sizeof(SeedInt)) {
          SeedInt next;
          std::memcpy(&next, whole.data() + offset, sizeof(next));
          ++counts.ints;
          if (SeedIsPrime(static_cast<uint32_t>(next))) ++counts.primes;
        }
      });
  if (!records.ok()) {
    fifo->Remove().IgnoreError();
    if (options.expected_ints > 0) {
      return absl::DataLossError(absl::StrCat(
          records.status().message(), " (", counts.ints, " of the ",
          options.expected_ints, " ints expected arrived)"));
    }
    return records.status();
  }
  if (options.expected_ints > 0 && counts.ints != options.expected_ints) {
    fifo->Remove().IgnoreError();
    return absl::DataLossError(
        absl::StrCat("the writer closed the FIFO after ", counts.ints,
                     " of the ", options.expected_ints, " ints expected"));
  }
  if (absl::Status s = reader->Close(); !s.ok()) return s;
  if (absl::Status s = fifo->Remove(); !s.ok()) return s;
  return counts;
}

std::string FifoReaderLine(const FifoReaderCounts& counts) {
  return absl::StrFormat("Received ints: %u, primes: %u\n", counts.ints,
                         counts.primes);
}

}  // namespace ipcbox::examples
