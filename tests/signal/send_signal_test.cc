// SendSignal, SendSignalToGroup, QueueSignal and ProcessExists against real
// processes, and the targets and numbers they refuse before any kill().

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/fd.h"
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
  EXPECT_THAT(SendSignal(0, SIGTERM).message(), HasSubstr("own process group"));
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

// Reads exactly `size` bytes from `fd` within `timeout`.
bool ReadExactly(int fd, void* data, size_t size, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  auto* bytes = static_cast<char*>(data);
  size_t done = 0;
  while (done < size) {
    const absl::Duration left = give_up - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd ready = {fd, POLLIN, 0};
    const int n =
        poll(&ready, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    const ssize_t got = read(fd, bytes + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

// Where a process of the group says that SIGUSR1 reached it.
int g_report_fd = -1;

// SIGUSR1's handler in the group: writes the process's pid (one write of a
// few bytes, so atomic), then exits. Async-signal-safe.
void ReportAndExit(int) {
  const pid_t me = getpid();
  (void)!write(g_report_fd, &me, sizeof(me));
  _exit(0);
}

// Kills a process group on the way out unless dismissed, so that a failing
// test leaves no member running.
class GroupKiller {
 public:
  explicit GroupKiller(pid_t group) : group_(group) {}
  ~GroupKiller() {
    if (group_ > 0) kill(-group_, SIGKILL);
  }
  GroupKiller(const GroupKiller&) = delete;
  GroupKiller& operator=(const GroupKiller&) = delete;
  void Dismiss() { group_ = -1; }

 private:
  pid_t group_;
};

TEST(SendSignalToGroupTest, ReachesEveryMember) {
  // A child that leads its own group and forks members into it. Each of
  // them reports SIGUSR1's arrival with its pid on a pipe, so the test sees
  // that the signal reached every one (members are the leader's children,
  // not ours: once the leader is gone we could not wait for them).
  constexpr int kMembers = 2;
  int pipes[2][2];
  ASSERT_EQ(pipe2(pipes[0], O_CLOEXEC), 0);
  Fd pids_reader(pipes[0][0]);
  Fd pids_writer(pipes[0][1]);
  ASSERT_EQ(pipe2(pipes[1], O_CLOEXEC), 0);
  Fd report_reader(pipes[1][0]);
  Fd report_writer(pipes[1][1]);
  absl::StatusOr<testing::ChildProcess> leader = ForkChild([&] {
    pids_reader.reset();
    report_reader.reset();
    g_report_fd = report_writer.get();
    // Installed before the members are forked: they inherit it, so none
    // can be signalled before it has its handler.
    struct sigaction report = {};
    report.sa_handler = &ReportAndExit;
    if (sigaction(SIGUSR1, &report, nullptr) != 0) return 9;
    if (setpgid(0, 0) != 0) return 10;
    // Every process here ends by itself if the test fails to end it.
    alarm(120);
    pid_t members[kMembers];
    for (pid_t& member : members) {
      member = fork();
      if (member < 0) return 11;
      if (member == 0) {
        alarm(120);  // not inherited across fork
        for (;;) pause();
      }
    }
    // The members are in the group from their fork on: tell the test who
    // they are only then, so its signal cannot miss one.
    if (write(pids_writer.get(), members, sizeof(members)) !=
        static_cast<ssize_t>(sizeof(members))) {
      return 12;
    }
    for (;;) pause();
  });
  // Our copies closed, so a group that dies without writing reads as
  // end-of-file at once.
  pids_writer.reset();
  report_writer.reset();
  ASSERT_TRUE(leader.ok());
  // Runs before `leader` is destroyed: while the leader is not reaped, its
  // pid (the group's id) cannot name another group.
  GroupKiller killer(leader->pid());
  pid_t members[kMembers] = {};
  ASSERT_TRUE(ReadExactly(pids_reader.get(), members, sizeof(members),
                          absl::Seconds(30)))
      << "the leader did not report its members";
  for (pid_t member : members) {
    ASSERT_EQ(getpgid(member), leader->pid()) << "member " << member;
  }

  ASSERT_TRUE(SendSignalToGroup(leader->pid(), SIGUSR1).ok());
  pid_t reported[kMembers + 1] = {};
  ASSERT_TRUE(ReadExactly(report_reader.get(), reported, sizeof(reported),
                          absl::Seconds(30)))
      << "not every process of the group reported SIGUSR1";
  killer.Dismiss();  // all of them have exited (the handler's _exit)
  EXPECT_THAT(reported, ::testing::UnorderedElementsAre(
                            leader->pid(), members[0], members[1]));
  EXPECT_TRUE(ExitedWith(leader->Wait(absl::Seconds(30)), 0));
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
