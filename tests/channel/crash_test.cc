// kill -9 at random points, in both roles, many times: the survivors
// neither deadlock nor spin forever, slots come back, the sequence goes on
// whole. The seed is printed; set IPCBOX_CHANNEL_SEED to replay one. Each
// loop stops after its iteration count or its time budget, whichever is
// first (qemu-user is slow), and prints how many it ran.

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "tests/channel/channel_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChannelNameGuard;
using ::ipcbox::testing::CheckSample;
using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ExitResult;
using ::ipcbox::testing::FillSample;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::ReplayableSeed;
using ::ipcbox::testing::SampleLength;

constexpr uint64_t kEndMarker = ~uint64_t{0};
constexpr int kIterations = 200;
constexpr absl::Duration kBudget = absl::Seconds(25);

WaitOptions Quick() {
  WaitOptions waiting;
  waiting.spin = 50;
  waiting.liveness_interval = absl::Milliseconds(20);
  return waiting;
}

// Publishes the sample for the channel's next sequence number.
absl::Status PublishNext(Publisher& publisher, Deadline deadline) {
  absl::StatusOr<absl::Span<char>> slot = publisher.Loan(deadline);
  if (!slot.ok()) return slot.status();
  const uint64_t seq = publisher.published();
  const size_t length = SampleLength(seq, slot->size());
  FillSample(*slot, seq, length);
  return publisher.Publish(length);
}

absl::Status PublishEnd(Publisher& publisher) {
  absl::StatusOr<absl::Span<char>> slot =
      publisher.Loan(Deadline::After(absl::Seconds(20)));
  if (!slot.ok()) return slot.status();
  FillSample(*slot, kEndMarker, 16);
  return publisher.Publish(16);
}

// Receives until the end marker; every sample whole, numbered in order
// from the first, its payload naming its own number. Exit code 0 or why.
int ReceiveToEnd(const PosixName& name, bool hold_at_random, uint64_t seed) {
  std::mt19937_64 random(seed);
  absl::StatusOr<Subscriber> subscriber;
  const absl::Time end = absl::Now() + absl::Seconds(20);
  do {
    subscriber = Subscriber::Attach(name, Quick());
  } while (!subscriber.ok() && absl::Now() < end);
  if (!subscriber.ok()) return 10;
  std::optional<uint64_t> expected;
  std::vector<Sample> held;
  for (;;) {
    absl::StatusOr<Sample> sample =
        subscriber->Receive(Deadline::After(absl::Seconds(60)));
    if (IsPublisherGone(sample.status())) continue;  // a restart is coming
    if (!sample.ok()) return 11;
    uint64_t seq = 0;
    if (!CheckSample(sample->data(), &seq)) return 12;
    if (seq == kEndMarker) return 0;
    if (seq != sample->sequence()) return 13;
    if (expected.has_value() && seq != *expected) return 14;
    expected = seq + 1;
    if (hold_at_random && random() % 4 == 0) {
      held.push_back(*std::move(sample));
      if (held.size() > 1) held.erase(held.begin());
    }
  }
}

TEST(ChannelCrashTest, KilledSubscribersNeverStopThePublisher) {
  const uint64_t seed = ReplayableSeed();
  std::mt19937_64 random(seed);
  ChannelNameGuard guard("channel_kill_sub");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 3, 512}, Quick());
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  // A subscriber that lives through it all and checks the whole sequence.
  absl::StatusOr<ChildProcess> steady =
      ForkChild([&] { return ReceiveToEnd(guard.name(), false, seed); });
  ASSERT_TRUE(steady.ok());
  while (publisher->AttachedSubscribers() < 1) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  const absl::Time end = absl::Now() + kBudget;
  int iterations = 0;
  for (; iterations < kIterations && absl::Now() < end; ++iterations) {
    const uint64_t child_seed = random();
    absl::StatusOr<ChildProcess> victim =
        ForkChild([&] { return ReceiveToEnd(guard.name(), true, child_seed); });
    ASSERT_TRUE(victim.ok());
    // Publish for a random while, then kill the victim wherever it is:
    // attaching, spinning, asleep, holding slots.
    const absl::Time until = absl::Now() + absl::Microseconds(random() % 30000);
    do {
      absl::Status s =
          PublishNext(*publisher, Deadline::After(absl::Seconds(10)));
      ASSERT_TRUE(s.ok()) << "iteration " << iterations << ": " << s;
    } while (absl::Now() < until);
    ASSERT_TRUE(victim->Kill(SIGKILL).ok());
    const ExitResult result = victim->Wait(absl::Seconds(20));
    ASSERT_TRUE(result.killed_by(SIGKILL))
        << "iteration " << iterations << ": " << result;
  }
  std::printf("%d iterations\n", iterations);
  // Everything the victims held is back: a whole ring more goes through.
  for (uint32_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(
        PublishNext(*publisher, Deadline::After(absl::Seconds(10))).ok());
  }
  ASSERT_TRUE(PublishEnd(*publisher).ok());
  EXPECT_TRUE(ExitedWith(steady->Wait(absl::Seconds(60)), 0));
  ASSERT_TRUE(publisher->ReclaimDeadSubscribers().ok());
  EXPECT_EQ(publisher->AttachedSubscribers(), 0u);
}

TEST(ChannelCrashTest, KilledPublishersAreReplacedAndTheSequenceGoesOn) {
  const uint64_t seed = ReplayableSeed();
  std::mt19937_64 random(seed);
  ChannelNameGuard guard("channel_kill_pub");
  {
    absl::StatusOr<Publisher> creator =
        Publisher::Create(guard.name(), ChannelOptions{4, 2, 512}, Quick());
    ASSERT_TRUE(creator.ok()) << creator.status();
    creator->Disown();  // the guard removes it
  }
  absl::StatusOr<ChildProcess> steady =
      ForkChild([&] { return ReceiveToEnd(guard.name(), true, seed); });
  ASSERT_TRUE(steady.ok());
  const absl::Time end = absl::Now() + kBudget;
  int iterations = 0;
  for (; iterations < kIterations && absl::Now() < end; ++iterations) {
    absl::StatusOr<ChildProcess> victim = ForkChild([&] {
      absl::StatusOr<Publisher> publisher =
          Publisher::Attach(guard.name(), Quick());
      if (!publisher.ok()) return 20;
      for (;;) {
        if (!PublishNext(*publisher, Deadline::After(absl::Seconds(20))).ok()) {
          return 21;
        }
      }
    });
    ASSERT_TRUE(victim.ok());
    absl::SleepFor(absl::Microseconds(random() % 30000));
    ASSERT_TRUE(victim->Kill(SIGKILL).ok());
    const ExitResult result = victim->Wait(absl::Seconds(20));
    ASSERT_TRUE(result.killed_by(SIGKILL))
        << "iteration " << iterations << ": " << result;
  }
  std::printf("%d iterations\n", iterations);
  absl::StatusOr<Publisher> last = Publisher::Attach(guard.name(), Quick());
  ASSERT_TRUE(last.ok()) << last.status();
  // The dead publishers' loans are back: a whole ring more goes through.
  for (uint32_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(PublishNext(*last, Deadline::After(absl::Seconds(20))).ok());
  }
  ASSERT_TRUE(PublishEnd(*last).ok());
  EXPECT_TRUE(ExitedWith(steady->Wait(absl::Seconds(60)), 0));
}

}  // namespace
}  // namespace ipcbox
