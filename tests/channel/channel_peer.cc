// One participant of a channel, for the mixed-architecture test: the same
// source built for x86_64 and for armv7, run side by side (the armv7 one
// under qemu-arm) on one channel.
//
//   channel_peer --role=publisher --name=/n --count=N --subscribers=S
//   channel_peer --role=subscriber --name=/n --count=N [--spin=0]
//
// The publisher creates the channel (and removes it when it exits), waits
// for S subscribers, then publishes N checksummed samples; a subscriber
// attaches (retrying until the channel exists) and checks that it gets
// samples 0..N-1 in order and whole. Exit 0 on success, 1 on a failed
// check, 2 on a usage error; every wait is bounded by --timeout.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "tests/channel/channel_test_util.h"

ABSL_FLAG(std::string, role, "", "publisher or subscriber");
ABSL_FLAG(std::string, name, "", "the channel's POSIX shm name, /...");
ABSL_FLAG(uint64_t, count, 10000, "samples to publish or receive");
ABSL_FLAG(uint32_t, subscribers, 1, "publisher: subscribers to wait for");
ABSL_FLAG(uint32_t, spin, 200, "spins before sleeping on the futex");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(120), "bound on the run");

namespace ipcbox {
namespace {

int Publish(const PosixName& name, uint64_t count, uint32_t subscribers,
            const WaitOptions& waiting, Deadline deadline) {
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(name, ChannelOptions{8, 4, 1024}, waiting);
  if (!publisher.ok()) {
    std::fprintf(stderr, "publisher: %s\n",
                 publisher.status().ToString().c_str());
    return 1;
  }
  while (publisher->AttachedSubscribers() < subscribers) {
    if (deadline.expired()) {
      std::fprintf(stderr, "publisher: subscribers never came\n");
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  for (uint64_t seq = 0; seq < count; ++seq) {
    absl::StatusOr<absl::Span<char>> slot = publisher->Loan(deadline);
    if (!slot.ok()) {
      std::fprintf(stderr, "publisher: loan %llu: %s\n",
                   static_cast<unsigned long long>(seq),
                   slot.status().ToString().c_str());
      return 1;
    }
    const size_t length = testing::SampleLength(seq, slot->size());
    testing::FillSample(*slot, seq, length);
    if (!publisher->Publish(length).ok()) return 1;
  }
  std::printf("publisher (%d-bit): %llu samples\n",
              static_cast<int>(sizeof(void*) * 8),
              static_cast<unsigned long long>(count));
  return 0;
}

int Subscribe(const PosixName& name, uint64_t count, const WaitOptions& waiting,
              Deadline deadline) {
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(name, waiting);
  while (!subscriber.ok()) {
    if (deadline.expired()) {
      std::fprintf(stderr, "subscriber: %s\n",
                   subscriber.status().ToString().c_str());
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(1));
    subscriber = Subscriber::Attach(name, waiting);
  }
  for (uint64_t expected = 0; expected < count; ++expected) {
    absl::StatusOr<Sample> sample = subscriber->Receive(deadline);
    uint64_t seq = 0;
    if (!sample.ok()) {
      std::fprintf(stderr, "subscriber: sample %llu: %s\n",
                   static_cast<unsigned long long>(expected),
                   sample.status().ToString().c_str());
      return 1;
    }
    if (!testing::CheckSample(sample->data(), &seq) || seq != expected ||
        sample->sequence() != expected) {
      std::fprintf(stderr, "subscriber: sample %llu torn or out of order\n",
                   static_cast<unsigned long long>(expected));
      return 1;
    }
  }
  std::printf("subscriber (%d-bit): %llu samples in order, %llu missed\n",
              static_cast<int>(sizeof(void*) * 8),
              static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(subscriber->missed()));
  return subscriber->missed() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ipcbox

int main(int argc, char** argv) {
  // The flags are listed here too: --help lists only flags of examples/,
  // tools/ and lib/ files.
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "channel_peer --role=publisher|subscriber --name=/NAME [--count=N] "
      "[--subscribers=S] [--spin=N] [--timeout=120s]\n"
      "  --role         publisher or subscriber\n"
      "  --name         the channel's POSIX shm name\n"
      "  --count        samples to publish or receive (10000)\n"
      "  --subscribers  publisher: subscribers to wait for (1)\n"
      "  --spin         spins before sleeping on the futex (200)\n"
      "  --timeout      bound on the whole run (120s)");
  const std::string role = absl::GetFlag(FLAGS_role);
  absl::StatusOr<ipcbox::PosixName> name =
      ipcbox::PosixName::Create(absl::GetFlag(FLAGS_name));
  if (!name.ok() || (role != "publisher" && role != "subscriber")) {
    std::fprintf(stderr,
                 "channel_peer: need --role=publisher|subscriber "
                 "and --name=/NAME (see --help)\n");
    return 2;
  }
  ipcbox::WaitOptions waiting;
  waiting.spin = absl::GetFlag(FLAGS_spin);
  const ipcbox::Deadline deadline =
      ipcbox::Deadline::After(absl::GetFlag(FLAGS_timeout));
  const uint64_t count = absl::GetFlag(FLAGS_count);
  return role == "publisher"
             ? ipcbox::Publish(*name, count, absl::GetFlag(FLAGS_subscribers),
                               waiting, deadline)
             : ipcbox::Subscribe(*name, count, waiting, deadline);
}
