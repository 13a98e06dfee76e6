// sensor_subscriber.h
//
// A consumer of the sensor example's channel, in one of two manners:
//   - busy: spins on the channel (WaitOptions::spin large), does no work,
//     and so sees each sample within microseconds;
//   - slow: sleeps in the kernel between samples and spends `work` on each
//     one while holding its view, so that it falls behind and, with the
//     drop-oldest policy, misses samples.
// It reads until the publisher is gone and then reports:
//
//   SensorSubscriberOptions options;
//   options.name = "/sensor";
//   options.busy = false;
//   options.work = absl::Milliseconds(3);
//   int code = RunSensorSubscriber(options, stdout);
//   // slow subscriber: received 334, missed 1666 (channel says 1666)
//   // slow subscriber: latency p50 1520.4 us, p99 ..., max ...
//   // totals: received=334 missed=1666 first=0 last=1999
//
// Latency is from the publisher's timestamp to the receive, on
// CLOCK_MONOTONIC (one clock for every process of the machine).

#ifndef IPCBOX_EXAMPLES_CHANNEL_SENSOR_SUBSCRIBER_H_
#define IPCBOX_EXAMPLES_CHANNEL_SENSOR_SUBSCRIBER_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace ipcbox::examples {

struct SensorSubscriberOptions {
  std::string name = "/ipcbox_sensor";
  bool busy = true;
  absl::Duration work = absl::Milliseconds(3);  // per sample, slow only
  // How long to keep trying to attach while the channel does not exist.
  absl::Duration attach_timeout = absl::Seconds(30);
  // How long to wait for one sample before giving up.
  absl::Duration receive_timeout = absl::Seconds(10);
  // Latencies kept for the percentiles (memory reserved before reading).
  uint32_t max_latencies = 1u << 20;
};

// 0 once the publisher is gone and the report printed; 1 on a failure.
int RunSensorSubscriber(const SensorSubscriberOptions& options, std::FILE* out);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_CHANNEL_SENSOR_SUBSCRIBER_H_
