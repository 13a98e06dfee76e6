// sensor_subscriber: a consumer of sensor_publisher's channel, busy or
// slow; reports latency percentiles and missed samples when the publisher
// leaves. See sensor_subscriber.h.
//
//   $ sensor_subscriber --name=/sensor --mode=slow --work=3ms
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "examples/channel/sensor_subscriber.h"
#include "examples/common/program_flags.h"

ABSL_FLAG(std::string, name, "/ipcbox_sensor",
          "POSIX shared memory name of the channel.");
ABSL_FLAG(std::string, mode, "busy",
          "busy (spins, no work) or slow (sleeps, then works on each "
          "sample).");
ABSL_FLAG(absl::Duration, work, absl::Milliseconds(3),
          "Time spent on each sample in slow mode.");
ABSL_FLAG(absl::Duration, attach_timeout, absl::Seconds(30),
          "How long to wait for the channel to exist.");
ABSL_FLAG(absl::Duration, receive_timeout, absl::Seconds(10),
          "Longest wait for one sample.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "sensor_subscriber [flags]: reads sensor samples from a zero-copy "
      "channel and reports latency percentiles and missed samples.");
  ipcbox::examples::SensorSubscriberOptions options;
  options.name = absl::GetFlag(FLAGS_name);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "busy" && mode != "slow") {
    std::fprintf(stderr,
                 "sensor_subscriber: --mode=%s: expected busy or slow\n",
                 mode.c_str());
    return ipcbox::examples::kUsageErrorExitCode;
  }
  options.busy = mode == "busy";
  options.work = absl::GetFlag(FLAGS_work);
  options.attach_timeout = absl::GetFlag(FLAGS_attach_timeout);
  options.receive_timeout = absl::GetFlag(FLAGS_receive_timeout);
  return ipcbox::examples::RunSensorSubscriber(options, stdout);
}
