// The generic ipcbox::MessageQueue is the backend the build selects
// (--//platforms:ipc_flavor), and works through the common subset alone.

#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/message_queue/message_queue.h"
#include "platforms/selected_backends.h"

namespace ipcbox {
namespace {

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
static_assert(std::is_same_v<MessageQueue, posix::MessageQueue>);
static_assert(kIpcFlavor == IpcFlavor::kPosix);
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
static_assert(std::is_same_v<MessageQueue, sysv::MessageQueue>);
static_assert(kIpcFlavor == IpcFlavor::kSysv);
#else
#error "no IPC flavor selected"
#endif

TEST(GenericMessageQueueTest, CommonSubsetWorks) {
  std::printf("ipc flavor: %s\n", IpcFlavorName());
  absl::StatusOr<MessageQueue> queue =
      MessageQueue::CreatePrivate(QueueCapacity{4, 32});
  ASSERT_TRUE(queue.ok()) << queue.status();
  ASSERT_TRUE(queue->Send("low", 1).ok());
  ASSERT_TRUE(queue->Send("high", 2).ok());
  char buf[32];
  absl::StatusOr<ReceivedMessage> got = queue->Receive(absl::MakeSpan(buf));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf, got->size), "high");
  EXPECT_EQ(got->priority, 2u);
  EXPECT_TRUE(queue->Remove().ok());
}

}  // namespace
}  // namespace ipcbox
