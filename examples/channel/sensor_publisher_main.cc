// sensor_publisher: the channel example's sensor daemon.
//
//   $ sensor_publisher --name=/sensor --rate_hz=1000 --count=2000 &
//   $ sensor_subscriber --name=/sensor --mode=busy &
//   $ sensor_subscriber --name=/sensor --mode=slow
//
// See sensor_publisher.h.
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "examples/channel/sensor_publisher.h"
#include "examples/common/program_flags.h"

ABSL_FLAG(
    std::string, name, "/ipcbox_sensor",
    "POSIX shared memory name of the channel (created, removed at exit).");
ABSL_FLAG(uint32_t, rate_hz, 1000, "Samples per second.");
ABSL_FLAG(uint64_t, count, 2000, "Samples to publish before leaving.");
ABSL_FLAG(uint32_t, subscribers, 2,
          "Subscribers to wait for before the first sample (1 to 16).");
ABSL_FLAG(absl::Duration, attach_timeout, absl::Seconds(30),
          "How long to wait for them.");
ABSL_FLAG(uint32_t, slots, 8, "Samples in flight at most (2 to 65536).");
ABSL_FLAG(std::string, policy, "drop_oldest",
          "drop_oldest (a slow subscriber misses samples) or block (the "
          "sensor waits for it).");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "sensor_publisher [flags]: publishes fixed-rate sensor samples on a "
      "zero-copy shared-memory channel.");
  ipcbox::examples::SensorPublisherOptions options;
  options.name = absl::GetFlag(FLAGS_name);
  options.rate_hz = absl::GetFlag(FLAGS_rate_hz);
  options.count = absl::GetFlag(FLAGS_count);
  options.subscribers = absl::GetFlag(FLAGS_subscribers);
  options.attach_timeout = absl::GetFlag(FLAGS_attach_timeout);
  options.slot_count = absl::GetFlag(FLAGS_slots);
  const std::string policy = absl::GetFlag(FLAGS_policy);
  if (policy != "drop_oldest" && policy != "block") {
    std::fprintf(stderr,
                 "sensor_publisher: --policy=%s: expected drop_oldest or "
                 "block\n",
                 policy.c_str());
    return ipcbox::examples::kUsageErrorExitCode;
  }
  if (options.rate_hz == 0 || options.subscribers == 0 ||
      options.subscribers > 16) {
    std::fprintf(stderr,
                 "sensor_publisher: --rate_hz must be at least 1 and "
                 "--subscribers 1 to 16\n");
    return ipcbox::examples::kUsageErrorExitCode;
  }
  options.drop_oldest = policy == "drop_oldest";
  return ipcbox::examples::RunSensorPublisher(options, stdout);
}
