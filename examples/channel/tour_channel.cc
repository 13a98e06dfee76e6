#include "examples/channel/tour_channel.h"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "examples/channel/sensor_publisher.h"
#include "examples/channel/sensor_subscriber.h"
#include "examples/shm/child_with_output.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/unique_name.h"

namespace ipcbox::examples {
namespace {

constexpr uint64_t kSamples = 1000;

struct Totals {
  uint64_t received = 0;
  uint64_t missed = 0;
  uint64_t first = 0;
  uint64_t last = 0;
};

absl::StatusOr<Totals> ParseTotals(absl::string_view who,
                                   const std::string& output) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    Totals t;
    const std::string text(line);
    if (std::sscanf(text.c_str(),
                    "totals: received=%" SCNu64 " missed=%" SCNu64
                    " first=%" SCNu64 " last=%" SCNu64,
                    &t.received, &t.missed, &t.first, &t.last) == 4) {
      return t;
    }
  }
  return absl::InternalError(
      absl::StrCat("the ", who, " subscriber printed no totals"));
}

// Each subscriber attached before sample 0, so every sample is received
// or counted missed, and the last one (never overwritten) is received.
absl::Status CheckAccounting(absl::string_view who, const Totals& t) {
  if (t.received + t.missed != kSamples || t.last != kSamples - 1) {
    return absl::InternalError(absl::StrCat(
        "the ", who, " subscriber received ", t.received, " and missed ",
        t.missed, " of ", kSamples, " samples (last ", t.last, ")"));
  }
  return absl::OkStatus();
}

void ReportLines(tour::Report& report, absl::string_view output) {
  for (absl::string_view line :
       absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    report.Line(line);
  }
}

}  // namespace

absl::Status RunChannelTour(tour::Report& report) {
  const std::string name = UniqueName("sensor");
  const Deadline deadline = Deadline::After(absl::Seconds(60));

  SensorPublisherOptions sensor;
  sensor.name = name;
  sensor.count = kSamples;
  sensor.rate_hz = 1000;
  sensor.subscribers = 2;
  sensor.slot_count = 16;
  sensor.drop_oldest = true;
  sensor.attach_timeout = absl::Seconds(20);
  absl::StatusOr<ChildWithOutput> publisher = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunSensorPublisher(sensor, out); });
  if (!publisher.ok()) return publisher.status();
  if (absl::Status s = publisher->ReadUntil("waiting for", deadline); !s.ok()) {
    return s;
  }

  SensorSubscriberOptions busy;
  busy.name = name;
  busy.busy = true;
  busy.max_latencies = kSamples;
  SensorSubscriberOptions slow = busy;
  slow.busy = false;
  slow.work = absl::Milliseconds(3);  // three sensor periods per sample
  absl::StatusOr<ChildWithOutput> busy_child = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunSensorSubscriber(busy, out); });
  if (!busy_child.ok()) return busy_child.status();
  absl::StatusOr<ChildWithOutput> slow_child = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunSensorSubscriber(slow, out); });
  if (!slow_child.ok()) return slow_child.status();

  absl::StatusOr<ChildWithOutput::Result> published =
      publisher->Finish(deadline);
  if (!published.ok()) return published.status();
  absl::StatusOr<ChildWithOutput::Result> busy_done =
      busy_child->Finish(deadline);
  if (!busy_done.ok()) return busy_done.status();
  absl::StatusOr<ChildWithOutput::Result> slow_done =
      slow_child->Finish(deadline);
  if (!slow_done.ok()) return slow_done.status();
  ReportLines(report, published->output);
  ReportLines(report, busy_done->output);
  ReportLines(report, slow_done->output);
  if (published->exit_code != 0 || busy_done->exit_code != 0 ||
      slow_done->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("exit codes: publisher ", published->exit_code, ", busy ",
                     busy_done->exit_code, ", slow ", slow_done->exit_code));
  }

  absl::StatusOr<Totals> busy_totals = ParseTotals("busy", busy_done->output);
  if (!busy_totals.ok()) return busy_totals.status();
  absl::StatusOr<Totals> slow_totals = ParseTotals("slow", slow_done->output);
  if (!slow_totals.ok()) return slow_totals.status();
  if (absl::Status s = CheckAccounting("busy", *busy_totals); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckAccounting("slow", *slow_totals); !s.ok()) {
    return s;
  }
  // 3 ms of work per sample at 1 kHz cannot keep up: it must lose some,
  // fewer than the busy one.
  if (slow_totals->missed == 0 ||
      slow_totals->received >= busy_totals->received) {
    return absl::InternalError(
        absl::StrCat("the slow subscriber received ", slow_totals->received,
                     " and missed ", slow_totals->missed,
                     "; the busy one received ", busy_totals->received));
  }
  struct stat st;
  if (::stat(absl::StrCat("/dev/shm", name).c_str(), &st) == 0) {
    return absl::InternalError(absl::StrCat("left in /dev/shm: ", name));
  }
  report.Line(absl::StrCat(
      "every sample was received or counted missed by each subscriber; the "
      "slow one lost ",
      slow_totals->missed, "; ", name, " was removed"));
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
