// Send and receive loops never allocate, on either backend, including their
// would-block and timed-out outcomes and a timed wait that actually waits
// (System V's polling, POSIX's mq_timed*).

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/escape.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;

constexpr QueueCapacity kCapacity{/*max_messages=*/4, /*max_message_size=*/64};
constexpr int kRounds = 200;

// Outcomes are tallied rather than asserted inside the counted loops, so
// that nothing but the code under test runs while counting.
struct Tally {
  int ok = 0;
  int would_block = 0;
  int timed_out = 0;
  int other = 0;
  void Add(const absl::Status& s, bool expect_ok) {
    if (s.ok()) {
      ++ok;
      if (!expect_ok) ++other;
    } else if (IsWouldBlock(s)) {
      ++would_block;
    } else if (IsTimedOut(s)) {
      ++timed_out;
    } else {
      ++other;
    }
  }
};

TEST(MessageQueueAllocTest, CounterSeesAnInjectedAllocation) {
  AllocationCounter counter;
  std::string* s = new std::string(100, 'x');
  testing::Escape(s);
  delete s;
  counter.Stop();
  EXPECT_GT(counter.count(), 0) << AllocationCounter::Method();
}

template <typename Queue>
void PriorityLoop(Queue& queue, Tally& tally) {
  const char payload[kCapacity.max_message_size] = "sample";
  char buf[kCapacity.max_message_size];
  for (int i = 0; i < kRounds; ++i) {
    tally.Add(queue.Send(absl::string_view(payload, 16), 3), true);
    tally.Add(queue.TrySend(absl::string_view(payload, 8), 7), true);
    tally.Add(queue.SendFor(absl::string_view(payload, 4), 1, absl::Seconds(5)),
              true);
    tally.Add(queue.Receive(absl::MakeSpan(buf)).status(), true);
    tally.Add(queue.TryReceive(absl::MakeSpan(buf)).status(), true);
    tally.Add(queue
                  .ReceiveUntil(absl::MakeSpan(buf),
                                Deadline::After(absl::Seconds(5)))
                  .status(),
              true);
    // Empty now.
    tally.Add(queue.TryReceive(absl::MakeSpan(buf)).status(), false);
    tally.Add(
        queue.ReceiveUntil(absl::MakeSpan(buf), Deadline::Expired()).status(),
        false);
  }
  // Full queue outcomes.
  for (size_t i = 0; i < kCapacity.max_messages; ++i) {
    tally.Add(queue.TrySend(absl::string_view(payload, sizeof(payload)), 0),
              true);
  }
  tally.Add(queue.TrySend(absl::string_view(payload, sizeof(payload)), 0),
            false);
  tally.Add(queue.SendUntil(absl::string_view(payload, sizeof(payload)), 0,
                            Deadline::Expired()),
            false);
  // A timed wait that really waits.
  tally.Add(queue.SendFor(absl::string_view(payload, sizeof(payload)), 0,
                          absl::Milliseconds(5)),
            false);
}

template <typename Queue>
void ExpectPriorityLoopDoesNotAllocate() {
  absl::StatusOr<Queue> queue = Queue::CreatePrivate(kCapacity);
  ASSERT_TRUE(queue.ok()) << queue.status();
  Tally tally;
  AllocationCounter counter;
  PriorityLoop(*queue, tally);
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other, 0);
  EXPECT_EQ(tally.ok, kRounds * 6 + static_cast<int>(kCapacity.max_messages));
  EXPECT_EQ(tally.would_block, kRounds + 1);
  EXPECT_EQ(tally.timed_out, kRounds + 2);
}

TEST(MessageQueueAllocTest, PosixSendReceiveLoopDoesNotAllocate) {
  ExpectPriorityLoopDoesNotAllocate<posix::MessageQueue>();
}

TEST(MessageQueueAllocTest, SysvPrioritySendReceiveLoopDoesNotAllocate) {
  ExpectPriorityLoopDoesNotAllocate<sysv::MessageQueue>();
}

TEST(MessageQueueAllocTest, SysvTypedSendReceiveLoopDoesNotAllocate) {
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::CreatePrivate(kCapacity);
  ASSERT_TRUE(queue.ok()) << queue.status();
  sysv::Message<64> out;
  sysv::Message<64> in;
  sysv::Message<4> small;
  Tally tally;
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) {
    out.set_type(1 + i % 3);
    tally.Add(out.SetPayload("payload"), true);
    tally.Add(queue->SendMessage(out), true);
    tally.Add(queue->TrySendMessage(out), true);
    tally.Add(queue->SendMessageFor(out, absl::Seconds(5)), true);
    tally.Add(
        queue->ReceiveMessage(in, sysv::TypeSelector::Exactly(out.type())),
        true);
    tally.Add(queue->TryReceiveMessage(in, sysv::TypeSelector::AnyExcept(99)),
              true);
    tally.Add(queue->TryReceiveMessage(small, sysv::TypeSelector::LowestUpTo(3),
                                       sysv::Truncation::kAllow),
              true);
    tally.Add(queue->TryReceiveMessage(in), false);
    tally.Add(queue->ReceiveMessageUntil(in, Deadline::Expired()), false);
  }
  tally.Add(queue->ReceiveMessageFor(in, absl::Milliseconds(5)), false);
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other, 0);
  EXPECT_EQ(tally.would_block, kRounds);
  EXPECT_EQ(tally.timed_out, kRounds + 1);
}

}  // namespace
}  // namespace ipcbox
