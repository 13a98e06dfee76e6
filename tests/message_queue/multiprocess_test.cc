// Message queues between real processes: a peer killed with SIGKILL in the
// middle of a stream leaves the queue intact and the other side carrying on
// (never hanging); removal wakes a blocked peer.

#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/msg.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/message_queue/test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(30);
constexpr absl::Duration kPatience = absl::Seconds(20);
constexpr QueueCapacity kCapacity{/*max_messages=*/8,
                                  /*max_message_size=*/32};

// A pipe for acknowledgements from a child, one byte per event.
struct AckPipe {
  AckPipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  void Ack() const {
    const char byte = 'a';
    (void)!::write(write_end.get(), &byte, 1);
  }
  // Waits (bounded) for `count` acknowledgements.
  bool AwaitAcks(int count) const {
    const Deadline deadline = Deadline::After(kPatience);
    while (count > 0) {
      struct pollfd pfd = {read_end.get(), POLLIN, 0};
      if (::poll(&pfd, 1, deadline.PollTimeoutMs()) != 1) return false;
      char buf[64];
      const ssize_t n =
          ::read(read_end.get(), buf, std::min<int>(count, sizeof(buf)));
      if (n <= 0) return false;
      count -= static_cast<int>(n);
    }
    return true;
  }
  Fd read_end;
  Fd write_end;
};

template <typename Queue>
class KilledPeerTest : public PrivateQueueTest<Queue> {
 protected:
  KilledPeerTest() : PrivateQueueTest<Queue>(kCapacity) {}

  absl::StatusOr<std::string> Next(absl::Duration timeout) {
    absl::StatusOr<ReceivedMessage> got =
        this->queue_.ReceiveFor(absl::MakeSpan(buf_), timeout);
    if (!got.ok()) return got.status();
    return std::string(buf_, got->size);
  }

  char buf_[kCapacity.max_message_size];
};

TYPED_TEST_SUITE(KilledPeerTest, QueueBackends, QueueBackendNames);

TYPED_TEST(KilledPeerTest, ReaderKilledMidStreamLeavesQueueIntact) {
  constexpr int kBeforeKill = 20;
  AckPipe acks;
  absl::StatusOr<ChildProcess> reader = ForkChild([&]() -> int {
    char buf[kCapacity.max_message_size];
    for (;;) {  // Until killed, blocked in Receive() most of the time.
      if (!this->queue_.Receive(absl::MakeSpan(buf)).ok()) return 1;
      acks.Ack();
    }
  });
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (int i = 0; i < kBeforeKill; ++i) {
    ASSERT_TRUE(
        this->queue_.SendFor(absl::StrCat("before", i), 1, kPatience).ok());
  }
  ASSERT_TRUE(acks.AwaitAcks(kBeforeKill));
  // The reader is now blocked in a receive: kill it there.
  ASSERT_TRUE(reader->Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(reader->Wait(kChildTimeout), SIGKILL));

  // The writer carries on: the queue takes messages up to its capacity,
  // then says so instead of hanging. (Full-size messages, so that a System
  // V queue, which counts bytes, is full when a POSIX one is.)
  auto after = [](size_t i) {
    std::string text = absl::StrCat("after", i);
    text.resize(kCapacity.max_message_size, '.');
    return text;
  };
  size_t sent = 0;
  for (; sent < kCapacity.max_messages; ++sent) {
    ASSERT_TRUE(this->queue_.TrySend(after(sent), 1).ok());
  }
  EXPECT_TRUE(IsWouldBlock(this->queue_.TrySend(after(sent), 1)));
  EXPECT_TRUE(
      IsTimedOut(this->queue_.SendFor(after(sent), 1, absl::Milliseconds(20))));
  // A new reader gets exactly what was sent after the kill, in order.
  for (size_t i = 0; i < sent; ++i) {
    absl::StatusOr<std::string> got = this->Next(kPatience);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, after(i));
  }
  EXPECT_TRUE(IsWouldBlock(
      this->queue_.TryReceive(absl::MakeSpan(this->buf_)).status()));
}

TYPED_TEST(KilledPeerTest, WriterKilledMidStreamLeavesWholeMessages) {
  AckPipe acks;
  absl::StatusOr<ChildProcess> writer = ForkChild([&]() -> int {
    for (int i = 0;; ++i) {  // Until killed, soon blocked on a full queue.
      if (!this->queue_.Send(absl::StrCat("m", i), 1).ok()) return 1;
      if (i == 0) acks.Ack();
    }
  });
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(acks.AwaitAcks(1));
  // Take some while the writer keeps the queue full.
  int expected = 0;
  for (; expected < 50; ++expected) {
    absl::StatusOr<std::string> got = this->Next(kPatience);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, absl::StrCat("m", expected));
  }
  ASSERT_TRUE(writer->Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(writer->Wait(kChildTimeout), SIGKILL));
  // What is left is whole messages that continue the sequence, then an
  // empty queue that times out rather than hangs.
  for (;;) {
    absl::StatusOr<std::string> got = this->Next(absl::Milliseconds(100));
    if (IsTimedOut(got.status())) break;
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, absl::StrCat("m", expected));
    ++expected;
  }
  EXPECT_GE(expected, 50);
  // And it still works both ways.
  ASSERT_TRUE(this->queue_.TrySend("still fine", 3).ok());
  absl::StatusOr<std::string> got = this->Next(kPatience);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "still fine");
}

TEST(SysvRemovalTest, RemovalWakesABlockedReceiverInAnotherProcess) {
  sysv::QueueOptions options;
  options.remove_when_destroyed = true;
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(RandomSysvKey(), options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  AckPipe acks;
  absl::StatusOr<ChildProcess> receiver = ForkChild([&]() -> int {
    acks.Ack();
    sysv::Message<16> message;
    absl::Status s = queue->ReceiveMessage(message);  // Blocks.
    return absl::IsNotFound(s) ? 0 : 1;
  });
  ASSERT_TRUE(receiver.ok());
  ASSERT_TRUE(acks.AwaitAcks(1));
  absl::SleepFor(absl::Milliseconds(50));  // Let it block; not required.
  ASSERT_TRUE(queue->Remove().ok());
  EXPECT_TRUE(ExitedWith(receiver->Wait(kChildTimeout), 0));
}

TEST(SysvRemovalTest, RemovalWakesABlockedSender) {
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::CreatePrivate(QueueCapacity{1, 8});
  ASSERT_TRUE(queue.ok()) << queue.status();
  ASSERT_TRUE(queue->TrySend("12345678", 0).ok());
  AckPipe acks;
  absl::StatusOr<ChildProcess> sender = ForkChild([&]() -> int {
    acks.Ack();
    absl::Status s = queue->Send("12345678", 0);  // Blocks: full.
    return absl::IsNotFound(s) ? 0 : 1;
  });
  ASSERT_TRUE(sender.ok());
  ASSERT_TRUE(acks.AwaitAcks(1));
  absl::SleepFor(absl::Milliseconds(50));
  ASSERT_TRUE(queue->Remove().ok());
  EXPECT_TRUE(ExitedWith(sender->Wait(kChildTimeout), 0));
}

}  // namespace
}  // namespace ipcbox::testing
