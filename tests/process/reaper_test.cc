// No zombie is left: a Child destroyed while running is killed and reaped,
// or left running and reaped by the ChildReaper when it ends; the reaper
// never steals the status of a child someone else waits for; and its table
// has a clear limit.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/child_reaper.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/fork_function.h"
#include "ipcbox/process/spawn.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::GoneWithin;
using ::ipcbox::testing::ProcessState;

constexpr absl::Duration kBound = absl::Seconds(30);

// True if `pid` is not a child of ours any more (reaped: waitpid ECHILD).
bool Reaped(pid_t pid) {
  return waitpid(pid, nullptr, WNOHANG) < 0 && errno == ECHILD;
}

TEST(ForgottenChildTest, DestroyedRunningChildIsKilledAndReaped) {
  pid_t pid = -1;
  {
    absl::StatusOr<Child> child = Spawn(Command({"sleep", "60"}));
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    // Forgotten: never waited for.
  }
  EXPECT_TRUE(Reaped(pid));
  EXPECT_FALSE(ProcessState(pid).has_value());  // no zombie in /proc
}

TEST(ForgottenChildTest, EndedButUnwaitedChildIsReapedOnDestruction) {
  pid_t pid = -1;
  {
    absl::StatusOr<Child> child = Spawn(Command({"true"}));
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    ASSERT_TRUE(testing::EndedWithin(pid, kBound));
    EXPECT_EQ(ProcessState(pid).value_or('?'), 'Z');
  }
  EXPECT_TRUE(Reaped(pid));
}

// A child that runs until `control`'s write end is closed in the parent.
absl::StatusOr<Child> RunsUntilStdinCloses(Pipe& control) {
  ForkOptions options;
  options.stdio.in = Stdio::Fd(control.reader.fd().get());
  const int write_end = control.writer.fd().get();
  return ForkFunction(
      [write_end] {
        close(write_end);  // a fork inherits it; only the parent's may count
        char c;
        while (read(STDIN_FILENO, &c, 1) > 0) {
        }
        return 0;
      },
      options);
}

TEST(ForgottenChildTest, LeftToTheReaperKeepsRunningThenIsReaped) {
  absl::StatusOr<Pipe> control = CreatePipe();
  ASSERT_TRUE(control.ok());
  pid_t pid = -1;
  {
    absl::StatusOr<Child> child = RunsUntilStdinCloses(*control);
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    child->set_when_destroyed(WhenDestroyedRunning::kLeaveToReaper);
  }
  // Still running, not reaped, not a zombie.
  EXPECT_NE(ProcessState(pid).value_or('Z'), 'Z');
  EXPECT_TRUE(ChildReaper::HandlerInstalled());
  EXPECT_GE(ChildReaper::PendingCount(), 1);

  ASSERT_TRUE(control->writer.Close().ok());  // the child ends now
  EXPECT_TRUE(GoneWithin(pid, kBound))
      << "still a zombie: " << ProcessState(pid).value_or('-');
  EXPECT_TRUE(Reaped(pid));
}

TEST(ForgottenChildTest, DetachHandsOverAndEmptiesTheChild) {
  absl::StatusOr<Pipe> control = CreatePipe();
  ASSERT_TRUE(control.ok());
  absl::StatusOr<Child> child = RunsUntilStdinCloses(*control);
  ASSERT_TRUE(child.ok());
  const pid_t pid = child->pid();
  ASSERT_TRUE(child->Detach().ok());
  EXPECT_FALSE(child->valid());
  EXPECT_EQ(child->Wait().status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(control->writer.Close().ok());
  EXPECT_TRUE(GoneWithin(pid, kBound));
}

TEST(ChildReaperTest, DoesNotStealOtherChildrensStatus) {
  absl::StatusOr<Pipe> control = CreatePipe();
  ASSERT_TRUE(control.ok());
  absl::StatusOr<Child> detached = RunsUntilStdinCloses(*control);
  ASSERT_TRUE(detached.ok());
  const pid_t detached_pid = detached->pid();
  ASSERT_TRUE(detached->Detach().ok());

  // A child we wait for ourselves ends while the reaper is active: its
  // SIGCHLD runs the reaper's handler, which must leave it alone.
  absl::StatusOr<Child> owned = Spawn(Command::Shell("exit 9"));
  ASSERT_TRUE(owned.ok());
  ASSERT_TRUE(testing::EndedWithin(owned->pid(), kBound));
  EXPECT_EQ(ChildReaper::ReapEnded(), 0);  // nothing of the reaper's ended
  absl::StatusOr<ExitStatus> status = owned->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->exited_with(9));

  ASSERT_TRUE(control->writer.Close().ok());
  EXPECT_TRUE(GoneWithin(detached_pid, kBound));
}

TEST(ChildReaperTest, ReapsWhenSigchldIsBlockedOnlyWhenAsked) {
  absl::StatusOr<Pipe> control = CreatePipe();
  ASSERT_TRUE(control.ok());
  absl::StatusOr<Child> child = RunsUntilStdinCloses(*control);
  ASSERT_TRUE(child.ok());
  const pid_t pid = child->pid();
  ASSERT_TRUE(child->Detach().ok());
  sigset_t sigchld;
  sigemptyset(&sigchld);
  sigaddset(&sigchld, SIGCHLD);
  sigset_t old;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &sigchld, &old), 0);
  ASSERT_TRUE(control->writer.Close().ok());
  ASSERT_TRUE(testing::EndedWithin(pid, kBound));
  EXPECT_EQ(ProcessState(pid).value_or('?'), 'Z');  // handler blocked
  EXPECT_EQ(ChildReaper::ReapEnded(), 1);
  EXPECT_TRUE(Reaped(pid));
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
}

TEST(ChildReaperTest, RefusesWhatIsNotAnUnreapedChild) {
  EXPECT_EQ(ChildReaper::Adopt(0).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChildReaper::Adopt(getpid()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChildReaper::Adopt(1).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ChildReaperTest, FullTableIsAClearStatusAndTheChildStaysOwned) {
  absl::StatusOr<Pipe> control = CreatePipe();
  ASSERT_TRUE(control.ok());
  ASSERT_EQ(ChildReaper::PendingCount(), 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < ChildReaper::kCapacity; ++i) {
    absl::StatusOr<Child> child = RunsUntilStdinCloses(*control);
    ASSERT_TRUE(child.ok()) << child.status();
    pids.push_back(child->pid());
    ASSERT_TRUE(child->Detach().ok()) << i;
  }
  EXPECT_EQ(ChildReaper::PendingCount(), ChildReaper::kCapacity);
  absl::StatusOr<Child> extra = RunsUntilStdinCloses(*control);
  ASSERT_TRUE(extra.ok());
  EXPECT_EQ(extra->Detach().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(extra->valid());  // still ours; its destructor kills and reaps

  ASSERT_TRUE(control->writer.Close().ok());
  for (pid_t pid : pids) EXPECT_TRUE(GoneWithin(pid, kBound)) << pid;
  EXPECT_EQ(ChildReaper::PendingCount(), 0);
}

}  // namespace
}  // namespace ipcbox
