// One suite, every backend: the common subset that the generic
// ipcbox::MessageQueue offers behaves the same on POSIX and System V queues,
// down to the order in which mixed priorities come out.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/message_queue/test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(30);
constexpr QueueCapacity kCapacity{/*max_messages=*/8,
                                  /*max_message_size=*/64};

template <typename Queue>
class ConformanceTest : public PrivateQueueTest<Queue> {
 protected:
  ConformanceTest() : PrivateQueueTest<Queue>(kCapacity) {}

  // "payload@priority" of the next message, or the status.
  std::string Next(Deadline deadline = Deadline::Expired()) {
    absl::StatusOr<ReceivedMessage> got =
        this->queue_.ReceiveUntil(absl::MakeSpan(buf_), deadline);
    if (!got.ok()) return got.status().ToString();
    return absl::StrCat(absl::string_view(buf_, got->size), "@", got->priority);
  }

  char buf_[kCapacity.max_message_size];
};

TYPED_TEST_SUITE(ConformanceTest, QueueBackends, QueueBackendNames);

TYPED_TEST(ConformanceTest, RoundTripKeepsBytesAndPriority) {
  const std::string payload("\0binary\xff payload", 16);
  ASSERT_TRUE(this->queue_.Send(payload, 17).ok());
  absl::StatusOr<ReceivedMessage> got =
      this->queue_.Receive(absl::MakeSpan(this->buf_));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(this->buf_, got->size), payload);
  EXPECT_EQ(got->priority, 17u);
}

TYPED_TEST(ConformanceTest, EmptyAndFullSizeMessages) {
  const std::string full(kCapacity.max_message_size, 'f');
  ASSERT_TRUE(this->queue_.TrySend("", 0).ok());
  ASSERT_TRUE(this->queue_.TrySend(full, 0).ok());
  EXPECT_EQ(this->Next(), "@0");
  EXPECT_EQ(this->Next(), full + "@0");
}

TYPED_TEST(ConformanceTest, HighestPriorityFirstAndFifoWithinAPriority) {
  // Both ends of the range and repeated priorities, sent in a mixed order.
  const std::vector<std::pair<std::string, unsigned>> sent = {
      {"a", 3}, {"b", 0}, {"c", kMaxMessagePriority}, {"d", 3}, {"e", 10},
      {"f", 0}, {"g", 3}, {"h", kMaxMessagePriority}};
  ASSERT_LE(sent.size(), kCapacity.max_messages);
  for (const auto& [text, priority] : sent) {
    ASSERT_TRUE(this->queue_.TrySend(text, priority).ok());
  }
  std::vector<std::pair<std::string, unsigned>> expected = sent;
  std::stable_sort(
      expected.begin(), expected.end(),
      [](const auto& x, const auto& y) { return x.second > y.second; });
  for (const auto& [text, priority] : expected) {
    EXPECT_EQ(this->Next(), absl::StrCat(text, "@", priority));
  }
  EXPECT_TRUE(IsWouldBlock(
      this->queue_.TryReceive(absl::MakeSpan(this->buf_)).status()));
}

TYPED_TEST(ConformanceTest, EmptyQueueWouldBlockAndTimesOut) {
  EXPECT_TRUE(IsWouldBlock(
      this->queue_.TryReceive(absl::MakeSpan(this->buf_)).status()));
  const absl::Duration start = MonotonicNow();
  absl::Status s =
      this->queue_
          .ReceiveFor(absl::MakeSpan(this->buf_), absl::Milliseconds(50))
          .status();
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(50));
}

TYPED_TEST(ConformanceTest, FullQueueWouldBlockAndTimesOut) {
  const std::string full(kCapacity.max_message_size, 'x');
  for (size_t i = 0; i < kCapacity.max_messages; ++i) {
    ASSERT_TRUE(this->queue_.TrySend(full, 1).ok()) << i;
  }
  EXPECT_TRUE(IsWouldBlock(this->queue_.TrySend(full, 1)));
  const absl::Duration start = MonotonicNow();
  absl::Status s = this->queue_.SendFor(full, 1, absl::Milliseconds(50));
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(50));
  // Taking one makes room for one.
  EXPECT_TRUE(this->queue_.TryReceive(absl::MakeSpan(this->buf_)).ok());
  EXPECT_TRUE(this->queue_.TrySend(full, 1).ok());
}

TYPED_TEST(ConformanceTest, BadArgumentsAreInvalid) {
  const std::string too_long(kCapacity.max_message_size + 1, 'x');
  EXPECT_TRUE(absl::IsInvalidArgument(this->queue_.TrySend(too_long, 0)));
  EXPECT_TRUE(absl::IsInvalidArgument(
      this->queue_.TrySend("x", kMaxMessagePriority + 1)));
  EXPECT_EQ(this->queue_.max_message_size(), kCapacity.max_message_size);
  for (QueueCapacity bad : {QueueCapacity{0, 8}, QueueCapacity{8, 0}}) {
    EXPECT_TRUE(
        absl::IsInvalidArgument(TypeParam::CreatePrivate(bad).status()));
  }
}

TYPED_TEST(ConformanceTest, BlockedReceiverWakesForAnotherProcess) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::SleepFor(absl::Milliseconds(50));
    EXPECT_TRUE(this->queue_.Send("from child", 4).ok());
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(this->Next(Deadline::After(absl::Seconds(20))), "from child@4");
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TYPED_TEST(ConformanceTest, ManyMessagesBetweenProcessesInOrder) {
  constexpr int kCount = 500;
  absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
    for (int i = 0; i < kCount; ++i) {
      absl::Status s =
          this->queue_.SendFor(absl::StrCat("m", i), 2, absl::Seconds(20));
      if (!s.ok()) return 1;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(this->Next(Deadline::After(absl::Seconds(20))),
              absl::StrCat("m", i, "@2"));
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TYPED_TEST(ConformanceTest, MovedFromQueueIsNotOpen) {
  TypeParam moved = std::move(this->queue_);
  EXPECT_FALSE(this->queue_.valid());
  EXPECT_TRUE(moved.valid());
  EXPECT_TRUE(absl::IsFailedPrecondition(this->queue_.TrySend("x", 0)));
  EXPECT_TRUE(moved.TrySend("x", 0).ok());
}

}  // namespace
}  // namespace ipcbox::testing
