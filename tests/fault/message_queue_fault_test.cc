// lib/message_queue under injected faults, POSIX and System V queues: EINTR
// storms are retried (both headers say so), as is the early ETIMEDOUT of a
// stepped wall clock (posix_message_queue.h) and EAGAIN in a timed System V
// call (it polls, sysv_message_queue.h); EAGAIN on a try or a POSIX send,
// EMSGSIZE, ENOMEM, ENOSPC, E2BIG and EIDRM become statuses, are not
// retried, lose no queued message, and leak no descriptor or queue.

#include <errno.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"
#include "tests/support/ipc_leak_check.h"

namespace ipcbox::testing {
namespace {

// --- POSIX -----------------------------------------------------------------

class PosixQueueFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<PosixName> name = PosixName::Create(UniqueName("mq_fault"));
    ASSERT_TRUE(name.ok()) << name.status();
    name_ = *name;
    posix::QueueOptions options;
    options.open_mode = OpenMode::kCreateExclusive;
    options.capacity = QueueCapacity{4, 64};
    options.remove_when_destroyed = true;
    absl::StatusOr<posix::MessageQueue> queue =
        posix::MessageQueue::Open(*name_, options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  size_t Queued() {
    absl::StatusOr<posix::QueueStatus> st = queue_.Stat();
    EXPECT_TRUE(st.ok()) << st.status();
    return st.ok() ? st->messages : 9999;
  }

  std::optional<PosixName> name_;
  posix::MessageQueue queue_;
  char buf_[64];
};

TEST_F(PosixQueueFaultTest, EintrStormsOnEverySendAndReceiveAreRetried) {
  ExpectRetriedThrough(Syscall::kMqTimedsend, FaultOn(queue_.fd(), EINTR, 100),
                       [&] { return queue_.SendFor("timed", 1, kLong); });
  ExpectRetriedThrough(Syscall::kMqSend, FaultOn(queue_.fd(), EINTR, 100),
                       [&] { return queue_.Send("blocking", 1); });
  {
    ScopedFault timed(Syscall::kMqTimedreceive,
                      FaultOn(queue_.fd(), EINTR, 100));
    absl::StatusOr<ReceivedMessage> got =
        queue_.ReceiveFor(absl::MakeSpan(buf_), kLong);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(absl::string_view(buf_, got->size), "timed");
    EXPECT_EQ(timed.injected(), 100);
    Tally(timed);
  }
  {
    ScopedFault blocking(Syscall::kMqReceive, FaultOn(queue_.fd(), EINTR, 100));
    absl::StatusOr<ReceivedMessage> got = queue_.Receive(absl::MakeSpan(buf_));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(absl::string_view(buf_, got->size), "blocking");
    EXPECT_EQ(blocking.injected(), 100);
    Tally(blocking);
  }
}

TEST_F(PosixQueueFaultTest, AnEarlyEtimedoutWithTimeLeftIsRetried) {
  // What a wall clock stepped forwards looks like to mq_timedreceive.
  ASSERT_TRUE(queue_.Send("late", 0).ok());
  ScopedFault early(Syscall::kMqTimedreceive,
                    FaultOn(queue_.fd(), ETIMEDOUT, 3));
  absl::StatusOr<ReceivedMessage> got =
      queue_.ReceiveFor(absl::MakeSpan(buf_), kLong);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf_, got->size), "late");
  EXPECT_EQ(early.injected(), 3);
  Tally(early);
}

TEST_F(PosixQueueFaultTest, EagainIsWouldBlockAndNotRetried) {
  {
    ScopedFault full(Syscall::kMqTimedsend, FaultOn(queue_.fd(), EAGAIN, -1));
    EXPECT_TRUE(IsWouldBlock(queue_.TrySend("x", 0)));
    // A timed send given EAGAIN (the queue made non-blocking behind the
    // object's back) says so at once rather than spinning to the deadline.
    EXPECT_TRUE(IsWouldBlock(queue_.SendFor("x", 0, kLong)));
    EXPECT_EQ(full.injected(), 2);
    Tally(full);
  }
  EXPECT_EQ(Queued(), 0u);
  ScopedFault empty(Syscall::kMqTimedreceive, FaultOn(queue_.fd(), EAGAIN, 1));
  ASSERT_TRUE(queue_.Send("kept", 0).ok());
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceive(absl::MakeSpan(buf_)).status()));
  EXPECT_EQ(empty.injected(), 1);
  Tally(empty);
  EXPECT_EQ(Queued(), 1u) << "a failed receive must not lose the message";
}

TEST_F(PosixQueueFaultTest, EmsgsizeAndEnomemAreStatusesAndLoseNothing) {
  ASSERT_TRUE(queue_.Send("first", 0).ok());
  for (int error : {EMSGSIZE, ENOMEM}) {
    const absl::Status sent =
        StatusUnderFault(Syscall::kMqSend, FaultOn(queue_.fd(), error, 1),
                         [&] { return queue_.Send("second", 0); });
    EXPECT_FALSE(sent.ok());
    EXPECT_FALSE(IsWouldBlock(sent) || IsTimedOut(sent)) << sent;

    const absl::Status got = StatusUnderFault(
        Syscall::kMqTimedreceive, FaultOn(queue_.fd(), error, 1),
        [&] { return queue_.ReceiveFor(absl::MakeSpan(buf_), kLong); });
    EXPECT_FALSE(got.ok());
    EXPECT_FALSE(IsWouldBlock(got) || IsTimedOut(got)) << got;
  }
  EXPECT_EQ(Queued(), 1u);
  absl::StatusOr<ReceivedMessage> got = queue_.TryReceive(absl::MakeSpan(buf_));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf_, got->size), "first");
}

TEST(PosixQueueOpenFaultTest, FailingMqOpenLeaksNoDescriptorAndNoQueue) {
  absl::StatusOr<PosixName> name = PosixName::Create(UniqueName("mq_fault"));
  ASSERT_TRUE(name.ok()) << name.status();
  const int before = OpenDescriptorCount();
  for (int error : {ENOSPC, EMFILE, ENFILE, ENOMEM}) {
    ScopedFault no_queue(Syscall::kMqOpen, FaultOn(-1, error, 1));
    posix::QueueOptions options;
    options.open_mode = OpenMode::kOpenOrCreate;
    options.capacity = QueueCapacity{4, 64};
    absl::StatusOr<posix::MessageQueue> queue =
        posix::MessageQueue::Open(*name, options);
    EXPECT_FALSE(queue.ok());
    if (error != ENOMEM) {
      EXPECT_TRUE(absl::IsResourceExhausted(queue.status())) << queue.status();
    }
    EXPECT_EQ(no_queue.injected(), 1);
    Tally(no_queue);
  }
  EXPECT_EQ(OpenDescriptorCount(), before);
  posix::QueueOptions existing;
  existing.open_mode = OpenMode::kOpenExisting;
  EXPECT_TRUE(
      absl::IsNotFound(posix::MessageQueue::Open(*name, existing).status()))
      << "a failed open must not leave a queue behind";
}

// --- System V --------------------------------------------------------------

class SysvQueueFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<sysv::MessageQueue> queue =
        sysv::MessageQueue::CreatePrivate(QueueCapacity{8, 64});
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }
  void TearDown() override {
    if (queue_.valid()) {
      EXPECT_TRUE(queue_.Remove().ok());
    }
  }

  size_t Queued() {
    absl::StatusOr<sysv::QueueStatus> st = queue_.Stat();
    EXPECT_TRUE(st.ok()) << st.status();
    return st.ok() ? st->messages : 9999;
  }

  sysv::MessageQueue queue_;
  char buf_[64];
};

TEST_F(SysvQueueFaultTest, EintrStormsAreRetried) {
  {
    ScopedFault send(Syscall::kMsgsnd, FaultOn(queue_.id(), EINTR, 100));
    EXPECT_TRUE(queue_.Send("blocking", 1).ok());
    EXPECT_TRUE(queue_.SendFor("timed", 1, kLong).ok());
    EXPECT_EQ(send.injected(), 100);
    Tally(send);
  }
  ScopedFault receive(Syscall::kMsgrcv, FaultOn(queue_.id(), EINTR, 100));
  absl::StatusOr<ReceivedMessage> got = queue_.Receive(absl::MakeSpan(buf_));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf_, got->size), "blocking");
  got = queue_.ReceiveFor(absl::MakeSpan(buf_), kLong);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf_, got->size), "timed");
  EXPECT_EQ(receive.injected(), 100);
  Tally(receive);
}

TEST_F(SysvQueueFaultTest, EagainIsWouldBlockForATryAndPolledForATimedCall) {
  {
    ScopedFault full(Syscall::kMsgsnd, FaultOn(queue_.id(), EAGAIN, 1));
    EXPECT_TRUE(IsWouldBlock(queue_.TrySend("x", 0)));
    EXPECT_EQ(full.injected(), 1);
    Tally(full);
  }
  EXPECT_EQ(Queued(), 0u);
  {
    // Timed calls poll (the header): EAGAIN five times, then room.
    ScopedFault full(Syscall::kMsgsnd, FaultOn(queue_.id(), EAGAIN, 5));
    EXPECT_TRUE(queue_.SendFor("polled", 0, kLong).ok());
    EXPECT_EQ(full.injected(), 5);
    Tally(full);
  }
  {
    ScopedFault full(Syscall::kMsgsnd, FaultOn(queue_.id(), EAGAIN, -1));
    EXPECT_TRUE(IsTimedOut(queue_.SendFor("x", 0, absl::Milliseconds(20))));
    Tally(full);
  }
  ScopedFault none(Syscall::kMsgrcv, FaultOn(queue_.id(), ENOMSG, 1));
  EXPECT_TRUE(IsWouldBlock(queue_.TryReceive(absl::MakeSpan(buf_)).status()));
  EXPECT_EQ(none.injected(), 1);
  Tally(none);
  EXPECT_EQ(Queued(), 1u) << "a failed receive must not lose the message";
}

TEST_F(SysvQueueFaultTest, EnomemE2bigAndEidrmAreStatusesAndLoseNothing) {
  ASSERT_TRUE(queue_.Send("first", 0).ok());
  const absl::Status sent =
      StatusUnderFault(Syscall::kMsgsnd, FaultOn(queue_.id(), ENOMEM, 1),
                       [&] { return queue_.SendFor("second", 0, kLong); });
  EXPECT_FALSE(sent.ok());
  EXPECT_FALSE(IsWouldBlock(sent) || IsTimedOut(sent)) << sent;
  const auto receive = [&] {
    return queue_.ReceiveFor(absl::MakeSpan(buf_), kLong);
  };
  const absl::Status too_big = StatusUnderFault(
      Syscall::kMsgrcv, FaultOn(queue_.id(), E2BIG, 1), receive);
  EXPECT_TRUE(absl::IsInvalidArgument(too_big)) << too_big;
  const absl::Status removed = StatusUnderFault(
      Syscall::kMsgrcv, FaultOn(queue_.id(), EIDRM, 1), receive);
  EXPECT_TRUE(absl::IsNotFound(removed)) << removed;
  EXPECT_EQ(Queued(), 1u);
  absl::StatusOr<ReceivedMessage> got = queue_.TryReceive(absl::MakeSpan(buf_));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(absl::string_view(buf_, got->size), "first");
}

TEST(SysvQueueOpenFaultTest, FailingMsggetLeavesNoQueue) {
  const IpcLeakCheck check;
  for (int error : {ENOSPC, ENOMEM}) {
    ScopedFault no_queue(Syscall::kMsgget, FaultOn(-1, error, 1));
    absl::StatusOr<sysv::MessageQueue> queue =
        sysv::MessageQueue::CreatePrivate(QueueCapacity{8, 64});
    EXPECT_FALSE(queue.ok());
    if (error == ENOSPC) {
      EXPECT_TRUE(absl::IsResourceExhausted(queue.status())) << queue.status();
    }
    EXPECT_EQ(no_queue.injected(), 1);
    Tally(no_queue);
  }
  check.ExpectNoneLeft();
}

}  // namespace
}  // namespace ipcbox::testing
