// posix::MessageQueue::CreatePrivate() names its queue "/ipcbox-mq.<pid>.<n>"
// while it exists, creating it exclusively: a name already taken (a queue a
// dead process with the same pid left behind) is skipped, never shared. Its
// own binary, so that n starts at 0 here.

#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/message_queue/posix_message_queue.h"

namespace ipcbox::posix {
namespace {

TEST(PrivateQueueNameTest, TakenNamesAreSkippedNotShared) {
  // The first three names this process's CreatePrivate() would try.
  std::vector<MessageQueue> squatters;
  for (int n = 0; n < 3; ++n) {
    absl::StatusOr<PosixName> name = PosixName::Create(
        absl::StrCat("/ipcbox-mq.", static_cast<long>(::getpid()), ".", n));
    ASSERT_TRUE(name.ok()) << name.status();
    QueueOptions options;
    options.capacity = QueueCapacity{2, 16};
    options.remove_when_destroyed = true;  // unlinked also on failure
    absl::StatusOr<MessageQueue> queue = MessageQueue::Open(*name, options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    ASSERT_TRUE(queue->TrySend("squatter", 0).ok());
    squatters.push_back(*std::move(queue));
  }

  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{2, 16});
  ASSERT_TRUE(queue.ok()) << queue.status();
  char buf[16];
  // A queue of its own: empty, and the squatters keep their message.
  EXPECT_TRUE(IsWouldBlock(queue->TryReceive(absl::MakeSpan(buf)).status()));
  for (MessageQueue& squatter : squatters) {
    absl::StatusOr<ReceivedMessage> got =
        squatter.TryReceive(absl::MakeSpan(buf));
    ASSERT_TRUE(got.ok()) << got.status();
  }
}

}  // namespace
}  // namespace ipcbox::posix
