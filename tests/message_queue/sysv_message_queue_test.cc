// sysv::MessageQueue in one process: open modes and permissions, typed
// sends and every receive selector, truncation, limits, non-blocking and
// timed calls, IPC_STAT and removal.

#include "ipcbox/message_queue/sysv_message_queue.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/message_queue/sysv_limits.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "tests/message_queue/test_util.h"

namespace ipcbox::sysv {
namespace {

using ::ipcbox::testing::MonotonicNow;
using ::ipcbox::testing::RandomSysvKey;
using ::ipcbox::testing::SysvQueueGuard;

bool Contains(const absl::Status& status, absl::string_view text) {
  return status.message().find(text) != absl::string_view::npos;
}

class SysvQueueTest : public ::ipcbox::testing::FreshSysvQueueTest {
 protected:
  absl::Status SendText(long type, absl::string_view text) {
    Message<64> message;
    message.set_type(type);
    if (absl::Status s = message.SetPayload(text); !s.ok()) return s;
    return queue_.TrySendMessage(message);
  }

  // The payload of the message `selector` picks, "type:payload", or the
  // status.
  std::string TakeText(TypeSelector selector) {
    Message<64> message;
    absl::Status s = queue_.TryReceiveMessage(message, selector);
    if (!s.ok()) return s.ToString();
    return absl::StrCat(message.type(), ":", message.payload());
  }
};

TEST_F(SysvQueueTest, CreatedWithExactPermissionsWhateverTheUmask) {
  const mode_t old = ::umask(077);
  QueueOptions options;
  options.permissions = *Permissions::FromMode(0660);
  options.remove_when_destroyed = true;
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::Open(RandomSysvKey(), options);
  ::umask(old);
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  absl::StatusOr<QueueStatus> stat = queue->Stat();
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->mode, 0660u);
  EXPECT_TRUE(queue->created());
}

TEST_F(SysvQueueTest, DefaultPermissionsAreOwnerOnly) {
  absl::StatusOr<QueueStatus> stat = queue_.Stat();
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->mode, 0600u);
  EXPECT_EQ(stat->owner_uid, ::geteuid());
}

TEST_F(SysvQueueTest, OpenModes) {
  QueueOptions options;
  options.open_mode = OpenMode::kCreateExclusive;
  EXPECT_TRUE(
      absl::IsAlreadyExists(MessageQueue::Open(key_, options).status()));

  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<MessageQueue> opened = MessageQueue::Open(key_, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->id(), queue_.id());
  EXPECT_FALSE(opened->created());

  options.open_mode = OpenMode::kOpenOrCreate;
  absl::StatusOr<MessageQueue> either = MessageQueue::Open(key_, options);
  ASSERT_TRUE(either.ok()) << either.status();
  EXPECT_EQ(either->id(), queue_.id());
  EXPECT_FALSE(either->created());
}

TEST_F(SysvQueueTest, OpenExistingOfAFreeKeyIsNotFound) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::Open(RandomSysvKey(), options);
  EXPECT_TRUE(absl::IsNotFound(queue.status())) << queue.status();
}

TEST_F(SysvQueueTest, OpenOrCreateOfAFreeKeyCreates) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.remove_when_destroyed = true;
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::Open(RandomSysvKey(), options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  EXPECT_TRUE(queue->created());
}

TEST_F(SysvQueueTest, DisownKeepsTheQueueAfterTheCreator) {
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{4, 16});
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  const int id = queue->id();
  EXPECT_TRUE(queue->owner());
  queue->Disown();
  EXPECT_FALSE(queue->owner());
  *queue = MessageQueue();
  msqid_ds ds;
  EXPECT_EQ(::msgctl(id, IPC_STAT, &ds), 0) << std::strerror(errno);
}

TEST_F(SysvQueueTest, PurgeAndCreateReplacesAStaleQueue) {
  ASSERT_TRUE(SendText(1, "stale").ok());
  QueueOptions options;
  options.open_mode = OpenMode::kPurgeAndCreate;
  options.remove_when_destroyed = true;
  absl::StatusOr<MessageQueue> fresh = MessageQueue::Open(key_, options);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  SysvQueueGuard guard(fresh->id());
  EXPECT_NE(fresh->id(), queue_.id());
  EXPECT_EQ(fresh->Stat()->messages, 0u);
  // The old queue is gone.
  EXPECT_TRUE(absl::IsNotFound(queue_.Stat().status()));
}

TEST_F(SysvQueueTest, PrivateKeyCannotBeOpened) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::Open(IpcKey::Private(), options);
  EXPECT_TRUE(absl::IsInvalidArgument(queue.status())) << queue.status();
}

TEST_F(SysvQueueTest, PrivateQueuesAreNewEachTimeAndRemovedWithTheirObject) {
  QueueOptions options;
  options.remove_when_destroyed = true;
  int first_id;
  {
    absl::StatusOr<MessageQueue> a =
        MessageQueue::Open(IpcKey::Private(), options);
    absl::StatusOr<MessageQueue> b =
        MessageQueue::Open(IpcKey::Private(), options);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->id(), b->id());
    EXPECT_TRUE(a->created());
    first_id = a->id();
  }
  struct msqid_ds ds;
  EXPECT_NE(::msgctl(first_id, IPC_STAT, &ds), 0);
}

TEST_F(SysvQueueTest, PrivateQueueStaysUnlessAsked) {
  int id;
  {
    absl::StatusOr<MessageQueue> kept = MessageQueue::Open(IpcKey::Private());
    ASSERT_TRUE(kept.ok());
    id = kept->id();
  }
  SysvQueueGuard guard(id);
  struct msqid_ds ds;
  EXPECT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
}

TEST_F(SysvQueueTest, CreatePrivateQueueIsRemovedWithItsObject) {
  int id;
  {
    absl::StatusOr<MessageQueue> queue =
        MessageQueue::CreatePrivate(QueueCapacity{2, 8});
    ASSERT_TRUE(queue.ok());
    id = queue->id();
  }
  struct msqid_ds ds;
  EXPECT_NE(::msgctl(id, IPC_STAT, &ds), 0);
}

TEST_F(SysvQueueTest, ObjectThatOpenedNeverRemovesOnDestruction) {
  {
    QueueOptions options;
    options.open_mode = OpenMode::kOpenExisting;
    options.remove_when_destroyed = true;  // Ignored: it did not create.
    absl::StatusOr<MessageQueue> opened = MessageQueue::Open(key_, options);
    ASSERT_TRUE(opened.ok());
  }
  EXPECT_TRUE(queue_.Stat().ok());
}

TEST_F(SysvQueueTest, CreatorKeepsTheQueueUnlessAsked) {
  int id;
  {
    absl::StatusOr<MessageQueue> kept = MessageQueue::Open(RandomSysvKey());
    ASSERT_TRUE(kept.ok());
    id = kept->id();
  }
  SysvQueueGuard guard(id);
  struct msqid_ds ds;
  EXPECT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
}

TEST_F(SysvQueueTest, ReceiveByExactType) {
  ASSERT_TRUE(SendText(1, "a").ok());
  ASSERT_TRUE(SendText(2, "b").ok());
  ASSERT_TRUE(SendText(3, "c").ok());
  EXPECT_EQ(TakeText(TypeSelector::Exactly(2)), "2:b");
  EXPECT_EQ(TakeText(TypeSelector::Exactly(3)), "3:c");
  EXPECT_EQ(TakeText(TypeSelector::Exactly(1)), "1:a");
}

TEST_F(SysvQueueTest, ReceiveAnyIsFifo) {
  ASSERT_TRUE(SendText(3, "first").ok());
  ASSERT_TRUE(SendText(1, "second").ok());
  EXPECT_EQ(TakeText(TypeSelector::Any()), "3:first");
  EXPECT_EQ(TakeText(TypeSelector::Any()), "1:second");
}

TEST_F(SysvQueueTest, ReceiveLowestTypeUpToN) {
  ASSERT_TRUE(SendText(5, "five").ok());
  ASSERT_TRUE(SendText(3, "three-a").ok());
  ASSERT_TRUE(SendText(4, "four").ok());
  ASSERT_TRUE(SendText(3, "three-b").ok());
  ASSERT_TRUE(SendText(2, "two").ok());
  EXPECT_EQ(TakeText(TypeSelector::LowestUpTo(4)), "2:two");
  EXPECT_EQ(TakeText(TypeSelector::LowestUpTo(4)), "3:three-a");
  EXPECT_EQ(TakeText(TypeSelector::LowestUpTo(4)), "3:three-b");
  EXPECT_EQ(TakeText(TypeSelector::LowestUpTo(4)), "4:four");
  // Only type 5 is left, above the bound.
  EXPECT_TRUE(IsWouldBlock([&] {
    Message<64> m;
    return queue_.TryReceiveMessage(m, TypeSelector::LowestUpTo(4));
  }()));
}

TEST_F(SysvQueueTest, ReceiveAnyExcept) {
  ASSERT_TRUE(SendText(1, "one").ok());
  ASSERT_TRUE(SendText(1, "one-b").ok());
  ASSERT_TRUE(SendText(2, "two").ok());
  EXPECT_EQ(TakeText(TypeSelector::AnyExcept(1)), "2:two");
  EXPECT_EQ(TakeText(TypeSelector::AnyExcept(2)), "1:one");
}

TEST_F(SysvQueueTest, TypeMustBePositiveToSend) {
  for (long type : {0L, -1L, -100L}) {
    Message<8> message;
    message.set_type(type);
    absl::Status s = queue_.TrySendMessage(message);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << type << ": " << s;
    EXPECT_TRUE(Contains(s, "type must be > 0")) << s;
  }
  EXPECT_EQ(queue_.Stat()->messages, 0u);
}

TEST_F(SysvQueueTest, SelectorsNeedPositiveTypes) {
  Message<8> message;
  for (TypeSelector selector :
       {TypeSelector::Exactly(0), TypeSelector::Exactly(-3),
        TypeSelector::LowestUpTo(0), TypeSelector::AnyExcept(0),
        TypeSelector::AnyExcept(-1)}) {
    absl::Status s = queue_.TryReceiveMessage(message, selector);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  }
}

TEST_F(SysvQueueTest, LongerMessageThanBufferIsAnErrorAndStaysQueued) {
  ASSERT_TRUE(SendText(1, "0123456789").ok());
  Message<4> small;
  absl::Status s = queue_.TryReceiveMessage(small);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "longer than the 4-byte buffer")) << s;
  EXPECT_EQ(queue_.Stat()->messages, 1u);
  EXPECT_EQ(TakeText(TypeSelector::Any()), "1:0123456789");
}

TEST_F(SysvQueueTest, TruncationWhenAskedFor) {
  ASSERT_TRUE(SendText(7, "0123456789").ok());
  Message<4> small;
  ASSERT_TRUE(
      queue_.TryReceiveMessage(small, TypeSelector::Any(), Truncation::kAllow)
          .ok());
  EXPECT_EQ(small.type(), 7);
  EXPECT_EQ(small.payload(), "0123");
  EXPECT_EQ(queue_.Stat()->messages, 0u);
}

TEST_F(SysvQueueTest, PayloadOverMsgmaxIsRejectedNamingTheLimit) {
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  ASSERT_TRUE(limits.ok()) << limits.status();
  // A message bigger than msgmax must be refused by ipcbox, not the kernel.
  static Message<1 << 20> big;
  ASSERT_LT(limits->max_message_size, big.capacity());
  big.set_type(1);
  ASSERT_TRUE(big.SetPayloadSize(limits->max_message_size + 1).ok());
  absl::Status s = queue_.TrySendMessage(big);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, absl::StrCat("msgmax = ", limits->max_message_size)))
      << s;
  // Exactly msgmax is fine.
  ASSERT_TRUE(big.SetPayloadSize(limits->max_message_size).ok());
  EXPECT_TRUE(queue_.TrySendMessage(big).ok());
}

TEST_F(SysvQueueTest, OptionsOverTheKernelLimitsAreRejected) {
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  ASSERT_TRUE(limits.ok());
  QueueOptions options;
  options.max_message_size = limits->max_message_size + 1;
  absl::Status s = MessageQueue::Open(RandomSysvKey(), options).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "msgmax")) << s;

  options = QueueOptions();
  options.queue_bytes = limits->max_queue_bytes + 1;
  s = MessageQueue::Open(RandomSysvKey(), options).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "msgmnb")) << s;
}

TEST_F(SysvQueueTest, PriorityPayloadOverMaxMessageSizeIsRejected) {
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{4, 16});
  ASSERT_TRUE(queue.ok()) << queue.status();
  const std::string payload(17, 'x');
  absl::Status s = queue->TrySend(payload, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "max_message_size = 16")) << s;
}

TEST_F(SysvQueueTest, StatCountsMessagesAndBytes) {
  ASSERT_TRUE(SendText(1, "abc").ok());
  ASSERT_TRUE(SendText(2, "defgh").ok());
  absl::StatusOr<QueueStatus> stat = queue_.Stat();
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->messages, 2u);
  EXPECT_EQ(stat->bytes, 8u);
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(stat->byte_limit, limits->max_queue_bytes);
  EXPECT_EQ(stat->last_sender, ::getpid());
}

TEST_F(SysvQueueTest, QueueBytesSetsTheLimit) {
  QueueOptions options;
  options.queue_bytes = 100;
  options.remove_when_destroyed = true;
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::Open(RandomSysvKey(), options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  EXPECT_EQ(queue->Stat()->byte_limit, 100u);
}

TEST_F(SysvQueueTest, FullQueueWouldBlock) {
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{2, 8});
  ASSERT_TRUE(queue.ok()) << queue.status();
  Message<8> message;
  message.set_type(1);
  ASSERT_TRUE(message.SetPayload("12345678").ok());
  ASSERT_TRUE(queue->TrySendMessage(message).ok());
  ASSERT_TRUE(queue->TrySendMessage(message).ok());
  absl::Status s = queue->TrySendMessage(message);
  EXPECT_TRUE(IsWouldBlock(s)) << s;
  EXPECT_TRUE(IsWouldBlock(queue->TrySend("12345678", 1)));
}

TEST_F(SysvQueueTest, EmptyQueueWouldBlock) {
  Message<8> message;
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceiveMessage(message)));
  char buf[8];
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceive(absl::MakeSpan(buf)).status()));
}

TEST_F(SysvQueueTest, TimedReceiveTimesOutNotEarly) {
  Message<8> message;
  const absl::Duration start = MonotonicNow();
  absl::Status s = queue_.ReceiveMessageFor(message, absl::Milliseconds(60));
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(60));
  EXPECT_TRUE(
      IsTimedOut(queue_.ReceiveMessageUntil(message, Deadline::Expired())));
}

TEST_F(SysvQueueTest, TimedSendOnAFullQueueTimesOutNotEarly) {
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{1, 8});
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE(queue->TrySend("12345678", 3).ok());
  const absl::Duration start = MonotonicNow();
  absl::Status s = queue->SendFor("12345678", 3, absl::Milliseconds(60));
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(60));
}

TEST_F(SysvQueueTest, TimedReceiveTakesAMessageThatIsThere) {
  ASSERT_TRUE(SendText(4, "here").ok());
  Message<8> message;
  ASSERT_TRUE(queue_.ReceiveMessageFor(message, absl::Seconds(5)).ok());
  EXPECT_EQ(message.type(), 4);
}

TEST_F(SysvQueueTest, PriorityMapsToTypes) {
  EXPECT_EQ(MessageQueue::TypeForPriority(kMaxMessagePriority), 1);
  EXPECT_EQ(MessageQueue::TypeForPriority(0), 32768);
  EXPECT_EQ(MessageQueue::PriorityForType(1), kMaxMessagePriority);
  ASSERT_TRUE(queue_.TrySend("p", 5).ok());
  Message<8> message;
  ASSERT_TRUE(queue_.TryReceiveMessage(message).ok());
  EXPECT_EQ(message.type(), 32768 - 5);
}

TEST_F(SysvQueueTest, PriorityReceiveIgnoresTypesWithoutAPriority) {
  ASSERT_TRUE(SendText(40000, "typed").ok());
  char buf[64];
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceive(absl::MakeSpan(buf)).status()));
  EXPECT_EQ(TakeText(TypeSelector::Any()), "40000:typed");
}

TEST_F(SysvQueueTest, RemoveThenEveryCallFails) {
  ASSERT_TRUE(queue_.Remove().ok());
  EXPECT_FALSE(queue_.valid());
  Message<8> message;
  message.set_type(1);
  EXPECT_TRUE(absl::IsFailedPrecondition(queue_.TrySendMessage(message)));
  EXPECT_TRUE(absl::IsFailedPrecondition(queue_.Remove()));
}

TEST_F(SysvQueueTest, QueueRemovedByAnotherObjectIsNotFound) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<MessageQueue> other = MessageQueue::Open(key_, options);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Remove().ok());
  Message<8> message;
  message.set_type(1);
  absl::Status s = queue_.TrySendMessage(message);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_TRUE(Contains(s, "removed")) << s;
  s = queue_.TryReceiveMessage(message);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_TRUE(absl::IsNotFound(queue_.Stat().status()));
  EXPECT_TRUE(absl::IsNotFound(queue_.Remove()));
}

TEST_F(SysvQueueTest, MovedFromQueueIsNotOpen) {
  MessageQueue moved = std::move(queue_);
  EXPECT_FALSE(queue_.valid());
  EXPECT_TRUE(moved.valid());
  char buf[8];
  EXPECT_TRUE(absl::IsFailedPrecondition(
      queue_.TryReceive(absl::MakeSpan(buf)).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(queue_.TrySend("x", 0)));
  queue_ = std::move(moved);
  EXPECT_TRUE(queue_.Stat().ok());
}

}  // namespace
}  // namespace ipcbox::sysv
