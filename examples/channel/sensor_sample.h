// sensor_sample.h
//
// What the sensor example publishes on its channel: one fixed-size record
// per sample, the same bytes for a 32-bit and a 64-bit process (fixed-width
// fields, no pointer, no `long`), written in place into the loaned slot.
//
//   absl::StatusOr<absl::Span<char>> slot = publisher.Loan(deadline);
//   SensorSample* sample = reinterpret_cast<SensorSample*>(slot->data());
//   sample->sequence = n;
//   sample->timestamp_ns = MonotonicNowNs();
//   publisher.Publish(sizeof(SensorSample));
//
// A subscriber checks the length before it reads one (see
// ReadSensorSample), as it would for anything else in shared memory.

#ifndef IPCBOX_EXAMPLES_CHANNEL_SENSOR_SAMPLE_H_
#define IPCBOX_EXAMPLES_CHANNEL_SENSOR_SAMPLE_H_

#include <time.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include "absl/types/span.h"

namespace ipcbox::examples {

struct SensorSample {
  uint64_t sequence;     // 0, 1, 2, ... as the sensor produced them
  int64_t timestamp_ns;  // CLOCK_MONOTONIC when it was published
  int32_t acceleration_mg[3];
  int32_t temperature_mc;  // milli-degrees Celsius
};
static_assert(sizeof(SensorSample) == 32);

inline int64_t MonotonicNowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// A copy of the sample in `bytes`, or nothing when the length is wrong.
inline std::optional<SensorSample> ReadSensorSample(
    absl::Span<const char> bytes) {
  if (bytes.size() != sizeof(SensorSample)) return std::nullopt;
  SensorSample sample;
  std::memcpy(&sample, bytes.data(), sizeof(sample));
  return sample;
}

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_CHANNEL_SENSOR_SAMPLE_H_
