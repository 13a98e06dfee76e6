// SignalFd: signals sent by kill() and sigqueue() from another process are
// read from the descriptor with their sender and value; reads time out,
// refuse unblocked signals, and do not allocate.

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/signal/signal_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::testing::HasSubstr;

class SignalFdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IPCBOX_ASSERT_SIGNALFD_DELIVERS();
    absl::StatusOr<SignalSet> set =
        SignalSet::Of({SIGUSR1, SIGUSR2, SIGRTMIN + 2});
    ASSERT_TRUE(set.ok());
    set_ = *set;
    absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(set_);
    ASSERT_TRUE(mask.ok()) << mask.status();
    mask_ = *std::move(mask);
  }

  SignalSet set_;
  ScopedSignalMask mask_;
};

TEST_F(SignalFdTest, ReceivesASignalAnotherProcessKilledUsWith) {
  absl::StatusOr<SignalFd> fd = SignalFd::Create(set_);
  ASSERT_TRUE(fd.ok()) << fd.status();
  const pid_t parent = getpid();
  absl::StatusOr<testing::ChildProcess> child =
      ForkChild([&] { return SendSignal(parent, SIGUSR2).ok() ? 0 : 1; });
  ASSERT_TRUE(child.ok()) << child.status();

  absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(30));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->signo, SIGUSR2);
  EXPECT_TRUE(info->sent_by_kill());
  EXPECT_EQ(info->sender_pid, child->pid());
  EXPECT_EQ(info->sender_uid, getuid());
  EXPECT_THAT(info->ToString(), HasSubstr("SIGUSR2 from pid"));
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(30)), 0));
}

TEST_F(SignalFdTest, ReceivesSigqueueValuesInOrder) {
  absl::StatusOr<SignalFd> fd = SignalFd::Create(set_);
  ASSERT_TRUE(fd.ok()) << fd.status();
  const pid_t parent = getpid();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    for (int value : {7, -1, 1 << 30}) {
      if (!QueueSignal(parent, SIGRTMIN + 2, value).ok()) return 1;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(30)), 0));

  // Real-time signals queue: three sends, three reads, each with its value.
  for (int expected : {7, -1, 1 << 30}) {
    absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(30));
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->signo, SIGRTMIN + 2);
    EXPECT_TRUE(info->queued());
    EXPECT_EQ(info->value, expected);
    EXPECT_EQ(info->sender_pid, child->pid());
  }
}

TEST_F(SignalFdTest, DescriptorIsPollable) {
  absl::StatusOr<SignalFd> fd = SignalFd::Create(set_);
  ASSERT_TRUE(fd.ok());
  pollfd pfd = {fd->fd(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(poll(&pfd, 1, 5000), 1);
  absl::StatusOr<SignalInfo> info = fd->Read();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->signo, SIGUSR1);
}

TEST_F(SignalFdTest, TimesOutAndWouldBlock) {
  absl::StatusOr<SignalFd> fd = SignalFd::Create(set_);
  ASSERT_TRUE(fd.ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Milliseconds(100));
  EXPECT_TRUE(IsTimedOut(info.status())) << info.status();
  EXPECT_GE(absl::Now() - start,
            absl::Milliseconds(90));  // did not return early

  SignalFdOptions options;
  options.nonblocking = true;
  absl::StatusOr<SignalFd> nonblocking = SignalFd::Create(set_, options);
  ASSERT_TRUE(nonblocking.ok());
  EXPECT_TRUE(IsWouldBlock(nonblocking->Read().status()));
}

TEST_F(SignalFdTest, ReadLoopDoesNotAllocate) {
  absl::StatusOr<SignalFd> fd = SignalFd::Create(set_);
  ASSERT_TRUE(fd.ok());
  int received = 0;
  absl::Status timed_out;
  {
    testing::AllocationCounter counter;
    for (int i = 0; i < 200; ++i) {
      raise(SIGUSR1);
      absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(10));
      if (info.ok() && info->signo == SIGUSR1) ++received;
    }
    timed_out = fd->ReadFor(absl::ZeroDuration()).status();
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << testing::AllocationCounter::Method();
  }
  EXPECT_EQ(received, 200);
  EXPECT_TRUE(IsTimedOut(timed_out));
}

TEST_F(SignalFdTest, SetSignalsChangesWhatIsRead) {
  absl::StatusOr<SignalSet> usr1 = SignalSet::Of({SIGUSR1});
  absl::StatusOr<SignalSet> usr2 = SignalSet::Of({SIGUSR2});
  absl::StatusOr<SignalFd> fd = SignalFd::Create(*usr1);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(fd->SetSignals(*usr2).ok());
  ASSERT_EQ(raise(SIGUSR2), 0);
  absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(10));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->signo, SIGUSR2);
}

TEST(SignalFdCreateTest, RefusesSignalsThatAreNotBlocked) {
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGUSR1, SIGUSR2});
  ASSERT_TRUE(set.ok());
  absl::StatusOr<SignalFd> fd = SignalFd::Create(*set);
  EXPECT_EQ(fd.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(fd.status().message(),
              HasSubstr("{SIGUSR1, SIGUSR2} not blocked"));

  SignalFdOptions options;
  options.require_blocked = false;
  EXPECT_TRUE(SignalFd::Create(*set, options).ok());
}

TEST(SignalFdCreateTest, RefusesBadSets) {
  EXPECT_EQ(SignalFd::Create(SignalSet()).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<SignalSet> with_kill = SignalSet::Of({SIGKILL});
  ASSERT_TRUE(with_kill.ok());
  EXPECT_EQ(SignalFd::Create(*with_kill).status().code(),
            absl::StatusCode::kInvalidArgument);
  SignalFd closed;
  EXPECT_EQ(closed.Read().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ipcbox
