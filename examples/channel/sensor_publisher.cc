#include "examples/channel/sensor_publisher.h"

#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "examples/channel/sensor_sample.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"

namespace ipcbox::examples {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sensor_publisher: %s\n", status.ToString().c_str());
  return 1;
}

void SleepUntil(int64_t when_ns) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(when_ns / 1000000000);
  ts.tv_nsec = static_cast<long>(when_ns % 1000000000);  // NOLINT
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) ==
         EINTR) {
  }
}

}  // namespace

int RunSensorPublisher(const SensorPublisherOptions& options, std::FILE* out) {
  if (options.rate_hz == 0) {
    return Fail(absl::InvalidArgumentError("the rate must be at least 1 Hz"));
  }
  absl::StatusOr<PosixName> name = PosixName::Create(options.name);
  if (!name.ok()) return Fail(name.status());
  ChannelOptions channel;
  channel.slot_count = options.slot_count;
  channel.max_subscribers = options.subscribers > 0 ? options.subscribers : 1;
  channel.max_payload = sizeof(SensorSample);
  channel.policy = options.drop_oldest ? SlowSubscriberPolicy::kDropOldest
                                       : SlowSubscriberPolicy::kBlockPublisher;
  absl::StatusOr<Publisher> publisher = Publisher::Create(*name, channel);
  if (!publisher.ok()) return Fail(publisher.status());
  std::fprintf(out, "channel %s: %u slots of %zu bytes, %s\n", name->c_str(),
               publisher->slot_count(), publisher->max_payload(),
               options.drop_oldest ? "drop-oldest" : "block-publisher");
  std::fprintf(out, "waiting for %u subscribers\n", options.subscribers);
  std::fflush(out);

  const Deadline attach = Deadline::After(options.attach_timeout);
  while (publisher->AttachedSubscribers() < options.subscribers) {
    if (attach.expired()) {
      return Fail(absl::DeadlineExceededError(
          "the subscribers did not attach in time"));
    }
    SleepUntil(MonotonicNowNs() + 1000000);
  }

  const int64_t period_ns = 1000000000 / options.rate_hz;
  const int64_t start_ns = MonotonicNowNs();
  for (uint64_t n = 0; n < options.count; ++n) {
    SleepUntil(start_ns + static_cast<int64_t>(n) * period_ns);
    // A slot is always free with drop-oldest unless views hold them all;
    // with block-publisher this is where a slow subscriber holds us.
    absl::StatusOr<absl::Span<char>> slot =
        publisher->Loan(Deadline::After(absl::Seconds(5)));
    if (!slot.ok()) return Fail(slot.status());
    SensorSample sample;
    sample.sequence = n;
    sample.acceleration_mg[0] = static_cast<int32_t>(n % 17);
    sample.acceleration_mg[1] = -static_cast<int32_t>(n % 23);
    sample.acceleration_mg[2] = 1000;
    sample.temperature_mc = 36600 + static_cast<int32_t>(n % 100);
    sample.timestamp_ns = MonotonicNowNs();
    std::memcpy(slot->data(), &sample, sizeof(sample));
    if (absl::Status s = publisher->Publish(sizeof(sample)); !s.ok()) {
      return Fail(s);
    }
  }
  const double seconds = static_cast<double>(MonotonicNowNs() - start_ns) / 1e9;
  std::fprintf(out, "published %llu samples at %u Hz in %.2f s\n",
               static_cast<unsigned long long>(options.count),  // NOLINT
               options.rate_hz, seconds);
  std::fflush(out);
  return 0;
}

}  // namespace ipcbox::examples
