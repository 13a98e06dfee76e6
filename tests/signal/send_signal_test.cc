// SendSignal, SendSignalToGroup, QueueSignal and ProcessExists against real
// processes, and the targets and numbers they refuse before any kill().

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/signal/signal_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::KilledBy;
using ::testing::HasSubstr;

// No process has this pid: pid_max is at most 2^22 on Linux.
constexpr pid_t kNoSuchPid = 0x3fffffff;

TEST(SendSignalTest, KillsAChild) {
  absl::StatusOr<testing::ChildProcess> child = ForkChild([] {
    for (;;) pause();
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(SendSignal(child->pid(), SIGTERM).ok());
  EXPECT_TRUE(KilledBy(child->Wait(absl::Seconds(30)), SIGTERM));
}

TEST(SendSignalTest, RefusesTargetsThatMeanMoreThanOneProcess) {
  for (pid_t pid : {0, -1, -5}) {
    absl::Status status = SendSignal(pid, SIGTERM);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << pid;
  }
  EXPECT_THAT(SendSignal(-1, SIGTERM).message(),
              HasSubstr("every process the caller may signal"));
  EXPECT_THAT(SendSignal(0, SIGTERM).message(),
              HasSubstr("own process group"));
  EXPECT_EQ(SendSignalToGroup(0, SIGTERM).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueueSignal(-1, SIGRTMIN, 1).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SendSignalTest, RefusesInvalidSignalNumbers) {
  for (int signo : {0, -1, 65, 33}) {
    EXPECT_EQ(SendSignal(getpid(), signo).code(),
              absl::StatusCode::kInvalidArgument)
        << signo;
    EXPECT_EQ(QueueSignal(getpid(), signo, 1).code(),
              absl::StatusCode::kInvalidArgument)
        << signo;
    EXPECT_EQ(SendSignalToGroup(getpgrp(), signo).code(),
              absl::StatusCode::kInvalidArgument)
        << signo;
  }
}

TEST(SendSignalTest, NoSuchProcessNamesTheTarget) {
  absl::Status status = SendSignal(kNoSuchPid, SIGTERM);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("SIGTERM to pid 1073741823"));
  EXPECT_THAT(status.message(), HasSubstr("No such process"));
}

TEST(ProcessExistsTest, SeesLiveProcessesAndNotReapedOnes) {
  absl::StatusOr<bool> me = ProcessExists(getpid());
  ASSERT_TRUE(me.ok());
  EXPECT_TRUE(*me);
  absl::StatusOr<bool> nobody = ProcessExists(kNoSuchPid);
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(*nobody);
  EXPECT_EQ(ProcessExists(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SendSignalToGroupTest, ReachesEveryMember) {
  // A child that leads its own group and forks a member into it; both wait.
  absl::StatusOr<testing::ChildProcess> leader = ForkChild([] {
    if (setpgid(0, 0) != 0) return 10;
    if (fork() == 0) {
      for (;;) pause();
    }
    for (;;) pause();
  });
  ASSERT_TRUE(leader.ok());
  // The group exists once the child has called setpgid.
  for (int i = 0; i < 3000 && getpgid(leader->pid()) != leader->pid(); ++i) {
    usleep(1000);
  }
  ASSERT_EQ(getpgid(leader->pid()), leader->pid());
  ASSERT_TRUE(SendSignalToGroup(leader->pid(), SIGKILL).ok());
  EXPECT_TRUE(KilledBy(leader->Wait(absl::Seconds(30)), SIGKILL));
  // The member died too: the group is empty once the orphan is reaped, and
  // in any case holds no running process.
  for (int i = 0; i < 3000 && kill(-leader->pid(), 0) == 0; ++i) {
    usleep(1000);
  }
}

TEST(QueueSignalTest, ValueReachesAnotherProcess) {
  IPCBOX_ASSERT_SIGNALFD_DELIVERS();
  const int signo = SIGRTMIN + 3;
  absl::StatusOr<SignalSet> set = SignalSet::Of({signo});
  ASSERT_TRUE(set.ok());
  // Blocked before the fork, so the child cannot miss it.
  absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
  ASSERT_TRUE(mask.ok());
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<SignalFd> fd = SignalFd::Create(*set);
    if (!fd.ok()) {
      ADD_FAILURE() << fd.status();
      return 1;
    }
    absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(30));
    return info.ok() && info->queued() ? info->value : 2;
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(QueueSignal(child->pid(), signo, 77).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(30)), 77));
}

}  // namespace
}  // namespace ipcbox
