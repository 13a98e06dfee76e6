// Waiting: bounded waits on a sleeping child time out and leave it running,
// then it can be killed and its signal reported; waits that succeed return
// the cached status; neither the pidfd path nor the fallback allocates; and
// a child reaped behind our back (SIGCHLD ignored) is a clear status.

#include <signal.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/internal/pidfd.h"
#include "ipcbox/process/internal/wait_exit.h"
#include "ipcbox/process/spawn.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "tests/process/process_test_util.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kBound = absl::Seconds(30);

absl::StatusOr<Child> Sleeper() { return Spawn(Command({"sleep", "60"})); }

TEST(WaitTest, TimesOutOnASleepingChildThenKillsIt) {
  absl::StatusOr<Child> child = Sleeper();
  ASSERT_TRUE(child.ok()) << child.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<ExitStatus> status = child->WaitFor(absl::Milliseconds(200));
  EXPECT_TRUE(IsTimedOut(status.status())) << status.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(190));  // not early
  EXPECT_FALSE(child->reaped());
  EXPECT_EQ(testing::ProcessState(child->pid()).value_or('?') == 'Z', false);

  EXPECT_TRUE(IsWouldBlock(child->TryWait().status()));
  ASSERT_TRUE(child->Signal(SIGKILL).ok());
  status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->killed_by(SIGKILL));
  EXPECT_TRUE(child->reaped());
  EXPECT_EQ(child->exit_status(), *status);
}

TEST(WaitTest, ExitCodeVersusSignal) {
  absl::StatusOr<Child> exits = Spawn(Command::Shell("exit 7"));
  absl::StatusOr<Child> killed = Spawn(Command::Shell("kill -USR1 $$"));
  ASSERT_TRUE(exits.ok() && killed.ok());
  absl::StatusOr<ExitStatus> code = exits->WaitFor(kBound);
  absl::StatusOr<ExitStatus> signal = killed->WaitFor(kBound);
  ASSERT_TRUE(code.ok() && signal.ok());
  EXPECT_TRUE(code->exited_with(7)) << *code;
  EXPECT_FALSE(code->signaled());
  EXPECT_TRUE(signal->killed_by(SIGUSR1)) << *signal;
  EXPECT_FALSE(signal->exited());
}

TEST(WaitTest, ReapedChildReturnsTheSameStatusAndRefusesSignals) {
  absl::StatusOr<Child> child = Spawn(Command::Shell("exit 5"));
  ASSERT_TRUE(child.ok());
  absl::StatusOr<ExitStatus> first = child->Wait();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->exited_with(5));
  EXPECT_EQ(*child->Wait(), *first);
  EXPECT_EQ(*child->TryWait(), *first);
  EXPECT_EQ(*child->WaitFor(absl::ZeroDuration()), *first);
  absl::Status signal = child->Signal(SIGTERM);
  EXPECT_EQ(signal.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(signal.message(), HasSubstr("already been reaped"));
}

TEST(WaitTest, SignalRefusesBadNumbersAndEmptyChildren) {
  absl::StatusOr<Child> child = Sleeper();
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->Signal(0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(child->Signal(65).code(), absl::StatusCode::kInvalidArgument);
  Child empty;
  EXPECT_EQ(empty.Wait().status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(empty.Signal(SIGTERM).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(WaitTest, UsesAPidFdWhereTheSystemHasThem) {
  absl::StatusOr<Child> child = Sleeper();
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->has_pidfd(), process_internal::PidFdsAvailable());
  if (!child->has_pidfd()) {
    GTEST_SKIP() << "pidfd_open() is not available here (ENOSYS): waits use "
                    "the sleep-and-check fallback, tested below";
  }
}

TEST(WaitTest, FallbackWithoutPidFdTimesOutAndReaps) {
  absl::StatusOr<Child> child = Sleeper();
  ASSERT_TRUE(child.ok());
  const Deadline short_wait = Deadline::After(absl::Milliseconds(100));
  absl::StatusOr<ExitStatus> status =
      process_internal::WaitForExit(child->pid(), /*pidfd=*/-1, short_wait);
  EXPECT_TRUE(IsTimedOut(status.status()));
  EXPECT_TRUE(short_wait.expired());
  ASSERT_TRUE(child->Signal(SIGTERM).ok());
  status =
      process_internal::WaitForExit(child->pid(), -1, Deadline::After(kBound));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->killed_by(SIGTERM));
}

TEST(WaitTest, WaitingDoesNotAllocate) {
  absl::StatusOr<Child> child = Sleeper();
  ASSERT_TRUE(child.ok());
  absl::StatusOr<ExitStatus> timed_out;
  absl::StatusOr<ExitStatus> would_block;
  EXPECT_NO_ALLOCATIONS(timed_out = child->WaitFor(absl::Milliseconds(20)));
  EXPECT_NO_ALLOCATIONS(would_block = child->TryWait());
  EXPECT_TRUE(IsTimedOut(timed_out.status()));
  EXPECT_TRUE(IsWouldBlock(would_block.status()));

  Command cat_like = Command::Shell("read line; exit 3");
  cat_like.SetStdin(Stdio::Pipe());
  absl::StatusOr<Child> reader = Spawn(cat_like);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->stdin_writer().WriteAll("go\n").ok());
  absl::StatusOr<ExitStatus> ended;
  EXPECT_NO_ALLOCATIONS(ended = reader->WaitFor(kBound));
  ASSERT_TRUE(ended.ok());
  EXPECT_TRUE(ended->exited_with(3));

  // The fallback loop too.
  absl::StatusOr<Child> sleeper = Sleeper();
  ASSERT_TRUE(sleeper.ok());
  absl::StatusOr<ExitStatus> fallback;
  EXPECT_NO_ALLOCATIONS(
      fallback = process_internal::WaitForExit(
          sleeper->pid(), -1, Deadline::After(absl::Milliseconds(20))));
  EXPECT_TRUE(IsTimedOut(fallback.status()));
}

TEST(WaitTest, ChildReapedByTheKernelIsAClearStatus) {
  // With SIGCHLD ignored the kernel reaps children itself; the exit status
  // is gone and waitpid() says ECHILD.
  absl::StatusOr<ScopedSignalHandler> ignore =
      ScopedSignalHandler::Ignore(SIGCHLD);
  ASSERT_TRUE(ignore.ok());
  absl::StatusOr<Child> child = Spawn(Command({"true"}));
  ASSERT_TRUE(child.ok());
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  EXPECT_EQ(status.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.status().message(), HasSubstr("SIG_IGN"));
  EXPECT_TRUE(child->reaped());
  EXPECT_FALSE(child->exit_status().has_value());
}

}  // namespace
}  // namespace ipcbox
