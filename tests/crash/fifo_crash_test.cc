// The crash suite on fifo_writer and fifo_reader (examples/fifo): the writer
// killed mid-stream must make the reader fail (it knows how many ints a
// whole run has), the reader killed must make the writer fail (EPIPE), and
// the FIFO must not outlive the run.

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "examples/fifo/fifo_channel.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"
#include "tests/crash/kill_points.h"

namespace ipcbox::testing {
namespace {

constexpr int kFifoLoops = 150;
constexpr uint32_t kFifoInts =
    kFifoLoops * examples::kChunkSize * examples::kIntsPerChunk;

Instance FifoChannel(const Place& place, CrashTrial::Which peer) {
  const std::string path = place.dir + "/fifoChannel";
  Instance in;
  in.trial.first = [path](std::FILE* out, std::FILE* err) {
    examples::FifoWriterOptions options;
    options.fifo_path = path;
    options.max_loops = kFifoLoops;
    options.max_zs = 50;
    options.open_timeout = PeerTimeout();
    absl::StatusOr<int64_t> sent = examples::RunFifoWriter(options);
    if (!sent.ok()) return Report(sent.status(), "fifo_writer", err);
    std::fputs(examples::FifoWriterLine(*sent).c_str(), out);
    return 0;
  };
  in.trial.second = [path](std::FILE* out, std::FILE* err) {
    examples::FifoReaderOptions options;
    options.fifo_path = path;
    options.wait_for_fifo = PeerTimeout();
    options.open_timeout = PeerTimeout();
    options.expected_ints = kFifoInts;
    absl::StatusOr<examples::FifoReaderCounts> counts =
        examples::RunFifoReader(options);
    if (!counts.ok()) return Report(counts.status(), "fifo_reader", err);
    std::fputs(examples::FifoReaderLine(*counts).c_str(), out);
    return 0;
  };
  in.trial.peer = peer;
  return in;
}

TEST(CrashTest, FifoWriterKilled) {
  RunKillPoints("fifo_writer killed, fifo_reader survives", [](const Place& p) {
    return FifoChannel(p, CrashTrial::kFirst);
  });
}

TEST(CrashTest, FifoReaderKilled) {
  RunKillPoints("fifo_reader killed, fifo_writer survives", [](const Place& p) {
    return FifoChannel(p, CrashTrial::kSecond);
  });
}

}  // namespace
}  // namespace ipcbox::testing
