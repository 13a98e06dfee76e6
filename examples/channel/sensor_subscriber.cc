#include "examples/channel/sensor_subscriber.h"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "examples/channel/sensor_sample.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"

namespace ipcbox::examples {
namespace {

int Fail(const char* who, const absl::Status& status) {
  std::fprintf(stderr, "sensor_subscriber (%s): %s\n", who,
               status.ToString().c_str());
  return 1;
}

// Nearest-rank percentile of sorted values, in microseconds.
double PercentileUs(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100.0 * sorted.size());
  if (rank >= sorted.size()) rank = sorted.size() - 1;
  return static_cast<double>(sorted[rank]) / 1000.0;
}

void Work(absl::Duration work) {
  const int64_t ns = absl::ToInt64Nanoseconds(work);
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);  // NOLINT
  nanosleep(&ts, nullptr);
}

absl::StatusOr<Subscriber> AttachWhenThere(const PosixName& name,
                                           const WaitOptions& waiting,
                                           absl::Duration timeout) {
  const Deadline deadline = Deadline::After(timeout);
  for (;;) {
    absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(name, waiting);
    const bool not_yet =
        absl::IsNotFound(subscriber.status()) ||
        IsWouldBlock(subscriber.status());  // not yet initialised
    if (!not_yet || deadline.expired()) return subscriber;
    Work(absl::Milliseconds(5));
  }
}

}  // namespace

int RunSensorSubscriber(const SensorSubscriberOptions& options,
                        std::FILE* out) {
  const char* who = options.busy ? "busy" : "slow";
  absl::StatusOr<PosixName> name = PosixName::Create(options.name);
  if (!name.ok()) return Fail(who, name.status());
  WaitOptions waiting;
  // Busy: spin for a few milliseconds (longer than the sensor's period)
  // before sleeping. Slow: sleep at once, burning no CPU while idle.
  waiting.spin = options.busy ? 1000000 : 0;
  absl::StatusOr<Subscriber> subscriber =
      AttachWhenThere(*name, waiting, options.attach_timeout);
  if (!subscriber.ok()) return Fail(who, subscriber.status());

  std::vector<int64_t> latencies;
  latencies.reserve(options.max_latencies);  // no allocation while reading
  uint64_t received = 0;
  uint64_t gaps = 0;  // missed between the first and the last received
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t malformed = 0;
  for (;;) {
    absl::StatusOr<Sample> sample =
        subscriber->Receive(Deadline::After(options.receive_timeout));
    if (IsPublisherGone(sample.status())) break;
    if (IsTimedOut(sample.status())) {
      return Fail(who, absl::DeadlineExceededError(
                           "no sample and no word from the publisher"));
    }
    if (!sample.ok()) return Fail(who, sample.status());
    const int64_t now = MonotonicNowNs();
    std::optional<SensorSample> value = ReadSensorSample(sample->data());
    if (!value.has_value() || value->sequence != sample->sequence()) {
      ++malformed;
      continue;
    }
    if (received == 0) {
      first = value->sequence;
    } else if (value->sequence > last + 1) {
      gaps += value->sequence - last - 1;
    }
    last = value->sequence;
    ++received;
    if (latencies.size() < latencies.capacity()) {
      latencies.push_back(now - value->timestamp_ns);
    }
    // The work happens on the slot itself (zero-copy), holding it.
    if (!options.busy) Work(options.work);
  }
  std::sort(latencies.begin(), latencies.end());
  std::fprintf(out,
               "%s subscriber: received %llu, %llu lost between them, "
               "the channel counts %llu missed, %llu malformed\n",
               who, static_cast<unsigned long long>(received),         // NOLINT
               static_cast<unsigned long long>(gaps),                  // NOLINT
               static_cast<unsigned long long>(subscriber->missed()),  // NOLINT
               static_cast<unsigned long long>(malformed));            // NOLINT
  std::fprintf(out,
               "%s subscriber: latency p50 %.1f us, p99 %.1f us, p99.9 %.1f "
               "us, max %.1f us\n",
               who, PercentileUs(latencies, 50), PercentileUs(latencies, 99),
               PercentileUs(latencies, 99.9),
               latencies.empty() ? 0.0 : latencies.back() / 1000.0);
  // The channel's count, which the tour checks against the sequence.
  std::fprintf(out, "totals: received=%llu missed=%llu first=%llu last=%llu\n",
               static_cast<unsigned long long>(received),              // NOLINT
               static_cast<unsigned long long>(subscriber->missed()),  // NOLINT
               static_cast<unsigned long long>(first),                 // NOLINT
               static_cast<unsigned long long>(last));                 // NOLINT
  std::fflush(out);
  if (malformed != 0) {
    return Fail(who, absl::DataLossError("malformed samples"));
  }
  return 0;
}

}  // namespace ipcbox::examples
