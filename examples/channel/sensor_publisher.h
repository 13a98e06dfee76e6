// sensor_publisher.h
//
// The sensor daemon of the channel example: creates a named channel, waits
// for its subscribers to attach, then publishes `count` SensorSamples at a
// fixed rate (absolute deadlines, so the rate does not drift), each with
// its sequence number and the time it was published. Its lines go to `out`:
//
//   SensorPublisherOptions options;
//   options.name = "/sensor";
//   options.subscribers = 2;
//   int code = RunSensorPublisher(options, stdout);
//   // channel /sensor: 8 slots of 32 bytes, drop-oldest
//   // waiting for 2 subscribers
//   // published 2000 samples at 1000 Hz in 2.00 s
//
// With the drop-oldest policy a slow subscriber never slows the sensor; it
// loses samples instead and says how many. Leaving removes the name and
// tells the subscribers that the publisher is gone.

#ifndef IPCBOX_EXAMPLES_CHANNEL_SENSOR_PUBLISHER_H_
#define IPCBOX_EXAMPLES_CHANNEL_SENSOR_PUBLISHER_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace ipcbox::examples {

struct SensorPublisherOptions {
  std::string name = "/ipcbox_sensor";
  uint32_t rate_hz = 1000;
  uint64_t count = 2000;
  uint32_t subscribers = 2;  // waits for this many before the first sample
  absl::Duration attach_timeout = absl::Seconds(30);
  uint32_t slot_count = 8;
  bool drop_oldest = true;  // false: the publisher waits for slow readers
};

// 0 when every sample was published, 1 on a failure (said on stderr).
int RunSensorPublisher(const SensorPublisherOptions& options, std::FILE* out);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_CHANNEL_SENSOR_PUBLISHER_H_
