// Test helper for channel_test.sh: one participant of a lib/channel
// channel, for `ipcbox ls/show/echo/hz` to look at.
//
//   channel_participant --role=publisher --name=/n [--rate=200] [--seconds=60]
//   channel_participant --role=subscriber --name=/n [--read] [--seconds=60]
//
// The publisher creates the channel (4 slots, 2 subscriber places, 64-byte
// payloads, drop-oldest, so that a subscriber that never reads cannot stop
// it), prints "ready", then publishes "sample <sequence>" at --rate per
// second. The subscriber attaches, prints "ready" and holds its place,
// reading every sample with --read, or none (its backlog fills the ring).
// Both stop after --seconds, so a test that dies leaves nothing running
// for long; the test SIGKILLs them to leave a channel with dead
// participants. The publisher leaves the name behind when it exits (the
// test removes it, through ipcbox or its cleanup).
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"

ABSL_FLAG(std::string, role, "", "publisher or subscriber");
ABSL_FLAG(std::string, name, "", "the channel's POSIX shm name, /...");
ABSL_FLAG(int, rate, 200, "publisher: samples per second (1 to 10000)");
ABSL_FLAG(bool, read, false, "subscriber: read the samples (else hold them)");
ABSL_FLAG(int, seconds, 60, "stop after this many seconds");

namespace ipcbox {
namespace {

int Publish(const PosixName& name, int rate, absl::Time stop) {
  ChannelOptions options;
  options.slot_count = 4;
  options.max_subscribers = 2;
  options.max_payload = 64;
  options.policy = SlowSubscriberPolicy::kDropOldest;
  absl::StatusOr<Publisher> publisher = Publisher::Create(name, options);
  if (!publisher.ok()) {
    std::fprintf(stderr, "publisher: %s\n",
                 publisher.status().ToString().c_str());
    return 1;
  }
  publisher->Disown();
  std::printf("ready\n");
  std::fflush(stdout);
  const absl::Duration period = absl::Seconds(1) / rate;
  absl::Time next = absl::Now();
  for (uint64_t seq = 0; absl::Now() < stop; ++seq) {
    absl::StatusOr<absl::Span<char>> slot =
        publisher->Loan(Deadline::After(absl::Seconds(1)));
    if (IsTimedOut(slot.status())) continue;  // a view is held; go on
    if (!slot.ok()) {
      std::fprintf(stderr, "publisher: %s\n", slot.status().ToString().c_str());
      return 1;
    }
    const std::string text = absl::StrCat("sample ", seq);
    text.copy(slot->data(), slot->size());
    if (!publisher->Publish(text.size()).ok()) return 1;
    next += period;
    absl::SleepFor(next - absl::Now());
  }
  return 0;
}

int Subscribe(const PosixName& name, bool read, absl::Time stop) {
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(name);
  if (!subscriber.ok()) {
    std::fprintf(stderr, "subscriber: %s\n",
                 subscriber.status().ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (absl::Now() < stop) {
    if (!read) {
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    absl::StatusOr<Sample> sample =
        subscriber->Receive(Deadline::After(absl::Milliseconds(100)));
    if (!sample.ok() && !IsTimedOut(sample.status()) &&
        !IsPublisherGone(sample.status())) {
      std::fprintf(stderr, "subscriber: %s\n",
                   sample.status().ToString().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace ipcbox

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "channel_participant --role=publisher|subscriber --name=/NAME "
      "[--rate=200] [--read] [--seconds=60]");
  const std::string role = absl::GetFlag(FLAGS_role);
  absl::StatusOr<ipcbox::PosixName> name =
      ipcbox::PosixName::Create(absl::GetFlag(FLAGS_name));
  const int rate = absl::GetFlag(FLAGS_rate);
  if (!name.ok() || (role != "publisher" && role != "subscriber") || rate < 1 ||
      rate > 10000) {
    std::fprintf(stderr,
                 "channel_participant: need --role=publisher|subscriber, "
                 "--name=/NAME and --rate from 1 to 10000 (see --help)\n");
    return 2;
  }
  const absl::Time stop =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  return role == "publisher"
             ? ipcbox::Publish(*name, rate, stop)
             : ipcbox::Subscribe(*name, absl::GetFlag(FLAGS_read), stop);
}
