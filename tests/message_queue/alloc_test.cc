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
#include "tests/support/status_tally.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;
using ::ipcbox::testing::StatusTally;

constexpr QueueCapacity kCapacity{/*max_messages=*/4, /*max_message_size=*/64};
constexpr int kRounds = 200;

TEST(MessageQueueAllocTest, CounterSeesAnInjectedAllocation) {
  AllocationCounter counter;
  std::string* s = new std::string(100, 'x');
  testing::Escape(s);
  delete s;
  counter.Stop();
  EXPECT_GT(counter.count(), 0) << AllocationCounter::Method();
}

template <typename Queue>
void PriorityLoop(Queue& queue, StatusTally& tally) {
  const char payload[kCapacity.max_message_size] = "sample";
  char buf[kCapacity.max_message_size];
  for (int i = 0; i < kRounds; ++i) {
    tally.Add(queue.Send(absl::string_view(payload, 16), 3));
    tally.Add(queue.TrySend(absl::string_view(payload, 8), 7));
    tally.Add(
        queue.SendFor(absl::string_view(payload, 4), 1, absl::Seconds(5)));
    tally.Add(queue.Receive(absl::MakeSpan(buf)).status());
    tally.Add(queue.TryReceive(absl::MakeSpan(buf)).status());
    tally.Add(queue
                  .ReceiveUntil(absl::MakeSpan(buf),
                                Deadline::After(absl::Seconds(5)))
                  .status());
    // Empty now.
    tally.Add(queue.TryReceive(absl::MakeSpan(buf)).status());
    tally.Add(
        queue.ReceiveUntil(absl::MakeSpan(buf), Deadline::Expired()).status());
  }
  // Full queue outcomes.
  for (size_t i = 0; i < kCapacity.max_messages; ++i) {
    tally.Add(queue.TrySend(absl::string_view(payload, sizeof(payload)), 0));
  }
  tally.Add(queue.TrySend(absl::string_view(payload, sizeof(payload)), 0));
  tally.Add(queue.SendUntil(absl::string_view(payload, sizeof(payload)), 0,
                            Deadline::Expired()));
  // A timed wait that really waits.
  tally.Add(queue.SendFor(absl::string_view(payload, sizeof(payload)), 0,
                          absl::Milliseconds(5)));
}

template <typename Queue>
void ExpectPriorityLoopDoesNotAllocate() {
  absl::StatusOr<Queue> queue = Queue::CreatePrivate(kCapacity);
  ASSERT_TRUE(queue.ok()) << queue.status();
  StatusTally tally;
  AllocationCounter counter;
  PriorityLoop(*queue, tally);
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other + tally.end_of_stream, 0);
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
  StatusTally tally;
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) {
    out.set_type(1 + i % 3);
    tally.Add(out.SetPayload("payload"));
    tally.Add(queue->SendMessage(out));
    tally.Add(queue->TrySendMessage(out));
    tally.Add(queue->SendMessageFor(out, absl::Seconds(5)));
    tally.Add(
        queue->ReceiveMessage(in, sysv::TypeSelector::Exactly(out.type())));
    tally.Add(queue->TryReceiveMessage(in, sysv::TypeSelector::AnyExcept(99)));
    tally.Add(queue->TryReceiveMessage(small, sysv::TypeSelector::LowestUpTo(3),
                                       sysv::Truncation::kAllow));
    tally.Add(queue->TryReceiveMessage(in));
    tally.Add(queue->ReceiveMessageUntil(in, Deadline::Expired()));
  }
  tally.Add(queue->ReceiveMessageFor(in, absl::Milliseconds(5)));
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other + tally.end_of_stream, 0);
  EXPECT_EQ(tally.ok, kRounds * 7);
  EXPECT_EQ(tally.would_block, kRounds);
  EXPECT_EQ(tally.timed_out, kRounds + 1);
}

}  // namespace
}  // namespace ipcbox
