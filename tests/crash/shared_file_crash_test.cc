// The crash suite on producer and consumer (examples/shared_file): a
// consumer after a killed producer prints the whole text or fails with the
// seed's message, never a torn file; the next producer removes what the
// killed one staged.

#include <cstdio>
#include <string>

#include "examples/shared_file/consumer.h"
#include "examples/shared_file/producer.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"
#include "tests/crash/kill_points.h"

namespace ipcbox::testing {
namespace {

Instance SharedFile(const Place& place) {
  const std::string file = place.dir + "/data.dat";
  Instance in;
  in.products = {"data.dat"};
  in.trial.sequential = true;
  auto producer = [file](std::FILE*, std::FILE* err) {
    examples::ProducerOptions options;
    options.file = file;
    return examples::RunProducer(options, err);
  };
  in.trial.first = producer;
  in.trial.second = [file](std::FILE* out, std::FILE* err) {
    examples::ConsumerOptions options;
    options.file = file;
    return examples::RunConsumer(options, out, err);
  };
  in.trial.peer = CrashTrial::kFirst;
  in.restart = [producer] {
    EXPECT_EQ(RunQuietly(producer), 0) << "the restarted producer failed";
  };
  return in;
}

TEST(CrashTest, ProducerKilled) {
  RunKillPoints("producer killed, consumer runs after it", SharedFile);
}

}  // namespace
}  // namespace ipcbox::testing
