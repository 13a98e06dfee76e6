// posix::MessageQueue in one process: names, open modes and permissions,
// capacities against the kernel's limits, priorities, buffer checks,
// non-blocking and timed calls, the pollable descriptor and unlinking.

#include "ipcbox/message_queue/posix_message_queue.h"

#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/stat.h>

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
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/message_queue/posix_limits.h"
#include "tests/message_queue/test_util.h"

namespace ipcbox::posix {
namespace {

using ::ipcbox::testing::MonotonicNow;
using ::ipcbox::testing::MqNameGuard;
using ::ipcbox::testing::UniqueMqName;

bool Contains(const absl::Status& status, absl::string_view text) {
  return status.message().find(text) != absl::string_view::npos;
}

QueueOptions SmallQueue(size_t max_messages = 4, size_t size = 32) {
  QueueOptions options;
  options.capacity = QueueCapacity{max_messages, size};
  return options;
}

class PosixQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<MessageQueue> queue =
        MessageQueue::Open(name_, SmallQueue());
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  const PosixName name_ = UniqueMqName();
  MqNameGuard guard_{name_};
  MessageQueue queue_;
  char buf_[32];
};

TEST(PosixNameForQueuesTest, BadNamesAreRejectedBeforeMqOpen) {
  const std::string too_long = "/" + std::string(300, 'a');
  for (absl::string_view bad :
       {absl::string_view(""), absl::string_view("no-slash"),
        absl::string_view("/two/slashes"), absl::string_view("/"),
        absl::string_view(too_long)}) {
    EXPECT_TRUE(absl::IsInvalidArgument(PosixName::Create(bad).status()))
        << bad;
  }
}

TEST_F(PosixQueueTest, CreatedWithExactPermissionsWhateverTheUmask) {
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  QueueOptions options = SmallQueue();
  options.permissions = *Permissions::FromMode(0660);
  const mode_t old = ::umask(077);
  absl::StatusOr<MessageQueue> queue = MessageQueue::Open(name, options);
  ::umask(old);
  ASSERT_TRUE(queue.ok()) << queue.status();
  struct stat st;
  ASSERT_EQ(::fstat(queue->fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(PosixQueueTest, OpenModes) {
  EXPECT_TRUE(
      absl::IsAlreadyExists(MessageQueue::Open(name_, SmallQueue()).status()));
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<MessageQueue> opened = MessageQueue::Open(name_, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_FALSE(opened->created());
  EXPECT_EQ(opened->capacity().max_messages, 4u);
  EXPECT_EQ(opened->max_message_size(), 32u);

  options.open_mode = OpenMode::kOpenOrCreate;
  absl::StatusOr<MessageQueue> either = MessageQueue::Open(name_, options);
  ASSERT_TRUE(either.ok());
  EXPECT_FALSE(either->created());

  // Same queue: what one sends, the other receives.
  ASSERT_TRUE(queue_.TrySend("x", 1).ok());
  EXPECT_TRUE(opened->TryReceive(absl::MakeSpan(buf_)).ok());
}

TEST_F(PosixQueueTest, OpenExistingOfAFreeNameIsNotFound) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::Status s = MessageQueue::Open(UniqueMqName(), options).status();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
}

TEST_F(PosixQueueTest, OpenOrCreateCreatesWithDefaultsWhenNoCapacity) {
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  QueueOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  absl::StatusOr<MessageQueue> queue = MessageQueue::Open(name, options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  EXPECT_TRUE(queue->created());
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(queue->capacity().max_messages, limits->default_max_messages);
  EXPECT_EQ(queue->max_message_size(), limits->default_max_message_size);
}

TEST_F(PosixQueueTest, PurgeAndCreateReplacesAStaleQueue) {
  ASSERT_TRUE(queue_.TrySend("stale", 0).ok());
  QueueOptions options = SmallQueue();
  options.open_mode = OpenMode::kPurgeAndCreate;
  absl::StatusOr<MessageQueue> fresh = MessageQueue::Open(name_, options);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->Stat()->messages, 0u);
  // The old one still works for whoever has it open.
  EXPECT_EQ(queue_.Stat()->messages, 1u);
}

TEST_F(PosixQueueTest, CapacityOverTheKernelLimitsIsRejectedNamingIt) {
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  ASSERT_TRUE(limits.ok()) << limits.status();
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);

  absl::Status s =
      MessageQueue::Open(name, SmallQueue(limits->max_messages + 1, 8))
          .status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, absl::StrCat("msg_max = ", limits->max_messages)))
      << s;

  s = MessageQueue::Open(name, SmallQueue(1, limits->max_message_size + 1))
          .status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(
      Contains(s, absl::StrCat("msgsize_max = ", limits->max_message_size)))
      << s;

  for (QueueCapacity zero : {QueueCapacity{0, 8}, QueueCapacity{1, 0}}) {
    QueueOptions options;
    options.capacity = zero;
    EXPECT_TRUE(
        absl::IsInvalidArgument(MessageQueue::Open(name, options).status()));
  }
  // Nothing was created by the rejected calls.
  QueueOptions existing;
  existing.open_mode = OpenMode::kOpenExisting;
  EXPECT_TRUE(absl::IsNotFound(MessageQueue::Open(name, existing).status()));

  // The limits themselves are accepted.
  absl::StatusOr<MessageQueue> at_limit = MessageQueue::Open(
      name, SmallQueue(limits->max_messages, limits->max_message_size));
  EXPECT_TRUE(at_limit.ok()) << at_limit.status();
}

TEST_F(PosixQueueTest, ReceiveReturnsPriorityHighestFirst) {
  ASSERT_TRUE(queue_.TrySend("low", 1).ok());
  ASSERT_TRUE(queue_.TrySend("high", 9).ok());
  ASSERT_TRUE(queue_.TrySend("mid", 5).ok());
  for (auto [text, priority] :
       {std::pair<absl::string_view, unsigned>{"high", 9},
        {"mid", 5},
        {"low", 1}}) {
    absl::StatusOr<ReceivedMessage> got =
        queue_.TryReceive(absl::MakeSpan(buf_));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(absl::string_view(buf_, got->size), text);
    EXPECT_EQ(got->priority, priority);
  }
}

TEST_F(PosixQueueTest, PriorityOverTheMaximumIsRejected) {
  EXPECT_TRUE(queue_.TrySend("x", kMaxMessagePriority).ok());
  absl::Status s = queue_.TrySend("x", kMaxMessagePriority + 1);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "32767")) << s;
}

TEST_F(PosixQueueTest, PayloadOverTheMessageSizeIsRejected) {
  const std::string payload(33, 'p');
  absl::Status s = queue_.TrySend(payload, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "mq_msgsize = 32")) << s;
  EXPECT_TRUE(queue_.TrySend(absl::string_view(payload).substr(0, 32), 0).ok());
}

TEST_F(PosixQueueTest, BufferSmallerThanTheMessageSizeIsRejected) {
  ASSERT_TRUE(queue_.TrySend("x", 0).ok());
  char small[31];
  absl::Status s = queue_.TryReceive(absl::MakeSpan(small)).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Contains(s, "31-byte buffer")) << s;
  EXPECT_TRUE(Contains(s, "mq_msgsize = 32")) << s;
  EXPECT_EQ(queue_.Stat()->messages, 1u);
}

TEST_F(PosixQueueTest, FullQueueWouldBlockAndEmptyQueueWouldBlock) {
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceive(absl::MakeSpan(buf_)).status()));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue_.TrySend("m", 0).ok());
  absl::Status s = queue_.TrySend("m", 0);
  EXPECT_TRUE(IsWouldBlock(s)) << s;
  EXPECT_EQ(queue_.Stat()->messages, 4u);
}

TEST_F(PosixQueueTest, TimedCallsTimeOutNotEarly) {
  absl::Duration start = MonotonicNow();
  absl::Status s =
      queue_.ReceiveFor(absl::MakeSpan(buf_), absl::Milliseconds(60)).status();
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(60));

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue_.TrySend("m", 0).ok());
  start = MonotonicNow();
  s = queue_.SendFor("m", 0, absl::Milliseconds(60));
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(MonotonicNow() - start, absl::Milliseconds(60));

  EXPECT_TRUE(IsTimedOut(queue_.SendUntil("m", 0, Deadline::Expired())));
}

TEST_F(PosixQueueTest, DescriptorIsPollable) {
  struct pollfd pfd = {queue_.fd(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(::poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT);  // Empty: writable, not readable.
  ASSERT_TRUE(queue_.TrySend("ready", 0).ok());
  pfd.revents = 0;
  ASSERT_EQ(::poll(&pfd, 1, 1000), 1);
  EXPECT_TRUE(pfd.revents & POLLIN);
  EXPECT_TRUE(queue_.TryReceive(absl::MakeSpan(buf_)).ok());
  EXPECT_EQ(::fcntl(queue_.fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST_F(PosixQueueTest, UnlinkedQueueCannotBeOpenedButKeepsWorking) {
  ASSERT_TRUE(queue_.Remove().ok());
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  absl::Status s = MessageQueue::Open(name_, options).status();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_TRUE(absl::IsNotFound(MessageQueue::Unlink(name_)));
  EXPECT_TRUE(absl::IsNotFound(queue_.Remove()));
  ASSERT_TRUE(queue_.TrySend("still here", 2).ok());
  EXPECT_TRUE(queue_.TryReceive(absl::MakeSpan(buf_)).ok());
}

TEST_F(PosixQueueTest, RemoveWhenDestroyedOnlyForTheCreator) {
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  QueueOptions options = SmallQueue();
  options.remove_when_destroyed = true;
  {
    absl::StatusOr<MessageQueue> creator = MessageQueue::Open(name, options);
    ASSERT_TRUE(creator.ok());
    {
      options.open_mode = OpenMode::kOpenExisting;
      absl::StatusOr<MessageQueue> opener = MessageQueue::Open(name, options);
      ASSERT_TRUE(opener.ok());
    }
    // The opener's destruction left the name.
    EXPECT_TRUE(MessageQueue::Open(name, options).ok());
  }
  EXPECT_TRUE(absl::IsNotFound(MessageQueue::Open(name, options).status()));
}

TEST_F(PosixQueueTest, DisownKeepsTheNameAfterTheCreator) {
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  QueueOptions options = SmallQueue();
  options.remove_when_destroyed = true;
  {
    absl::StatusOr<MessageQueue> creator = MessageQueue::Open(name, options);
    ASSERT_TRUE(creator.ok()) << creator.status();
    EXPECT_TRUE(creator->owner());
    creator->Disown();
    EXPECT_FALSE(creator->owner());
  }
  options.open_mode = OpenMode::kOpenExisting;
  EXPECT_TRUE(MessageQueue::Open(name, options).ok());
}

TEST_F(PosixQueueTest, CreatorLeavesTheNameByDefault) {
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  { ASSERT_TRUE(MessageQueue::Open(name, SmallQueue()).ok()); }
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  EXPECT_TRUE(MessageQueue::Open(name, options).ok());
}

TEST_F(PosixQueueTest, AccessModesAreEnforced) {
  QueueOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  options.access = Access::kReceiveOnly;
  absl::StatusOr<MessageQueue> reader = MessageQueue::Open(name_, options);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(reader->TrySend("x", 0)));
  options.access = Access::kSendOnly;
  absl::StatusOr<MessageQueue> writer = MessageQueue::Open(name_, options);
  ASSERT_TRUE(writer.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      writer->TryReceive(absl::MakeSpan(buf_)).status()));
  ASSERT_TRUE(writer->TrySend("x", 0).ok());
  EXPECT_TRUE(reader->TryReceive(absl::MakeSpan(buf_)).ok());
}

TEST_F(PosixQueueTest, PrivateQueueHasNoName) {
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{2, 16});
  ASSERT_TRUE(queue.ok()) << queue.status();
  EXPECT_FALSE(queue->name().has_value());
  EXPECT_TRUE(queue->Remove().ok());
  ASSERT_TRUE(queue->TrySend("x", 0).ok());
}

TEST_F(PosixQueueTest, ClosedQueueIsNotOpen) {
  ASSERT_TRUE(queue_.Close().ok());
  EXPECT_FALSE(queue_.valid());
  EXPECT_TRUE(absl::IsFailedPrecondition(queue_.TrySend("x", 0)));
  EXPECT_TRUE(absl::IsFailedPrecondition(queue_.Stat().status()));
}

}  // namespace
}  // namespace ipcbox::posix
