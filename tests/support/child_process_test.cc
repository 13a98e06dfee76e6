#include "tests/support/child_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/support/time_scale.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kGenerous = absl::Seconds(30);

[[noreturn]] void SleepForever() {
  for (;;) pause();
}

// True once `pid` is neither running nor a zombie of ours.
bool IsReaped(pid_t pid) {
  int status;
  return waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD;
}

TEST(ChildProcessTest, ExitCodesPassThrough) {
  for (int code : {0, 1, 3, 77, 255}) {
    absl::StatusOr<ChildProcess> child = ForkChild([code] { return code; });
    ASSERT_TRUE(child.ok()) << child.status();
    ExitResult result = child->Wait(kGenerous);
    EXPECT_TRUE(ExitedWith(result, code));
    EXPECT_FALSE(result.timed_out);
    EXPECT_TRUE(IsReaped(child->pid()));
  }
}

TEST(ChildProcessTest, VoidFunctionExitsZero) {
  bool ran_here = false;
  absl::StatusOr<ChildProcess> child = ForkChild([&] { ran_here = true; });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kGenerous), 0));
  EXPECT_FALSE(ran_here);  // It ran in the child's copy of memory.
}

TEST(ChildProcessTest, DeathBySignalIsReported) {
  absl::StatusOr<ChildProcess> child = ForkChild([] {
    kill(getpid(), SIGTERM);
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ExitResult result = child->Wait(kGenerous);
  EXPECT_TRUE(KilledBy(result, SIGTERM));
  EXPECT_FALSE(result.exited);
  EXPECT_TRUE(absl::StrContains(result.Describe(), "killed by signal"))
      << result;
  EXPECT_TRUE(absl::StrContains(result.Describe(), "SIGTERM")) << result;
}

TEST(ChildProcessTest, KillSendsASignal) {
  absl::StatusOr<ChildProcess> child = ForkChild([] { SleepForever(); });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_FALSE(child->Poll().has_value());
  ASSERT_TRUE(child->Kill(SIGUSR1).ok());
  EXPECT_TRUE(KilledBy(child->Wait(kGenerous), SIGUSR1));
  EXPECT_EQ(child->Kill(SIGUSR1).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ChildProcessTest, HungChildTimesOutAndIsReaped) {
  absl::StatusOr<ChildProcess> child = ForkChild([] { SleepForever(); });
  ASSERT_TRUE(child.ok()) << child.status();
  ExitResult result = child->Wait(absl::Milliseconds(200));
  EXPECT_TRUE(result.timed_out);
  EXPECT_TRUE(result.killed_by(SIGKILL)) << result;
  EXPECT_EQ(result.waited, Scaled(absl::Milliseconds(200)));
  EXPECT_TRUE(absl::StrContains(
      result.Describe(),
      absl::StrCat("timed out after ",
                   absl::FormatDuration(Scaled(absl::Milliseconds(200))))))
      << result;
  EXPECT_FALSE(ExitedWith(result, 0));
  EXPECT_TRUE(IsReaped(child->pid()));
}

TEST(ChildProcessTest, WaitAfterReapingReturnsTheSameResult) {
  absl::StatusOr<ChildProcess> child = ForkChild([] { return 9; });
  ASSERT_TRUE(child.ok()) << child.status();
  ExitResult first = child->Wait(kGenerous);
  ExitResult second = child->Wait(absl::ZeroDuration());
  EXPECT_TRUE(ExitedWith(second, 9));
  EXPECT_FALSE(second.timed_out);
  EXPECT_EQ(second.waited, first.waited);
}

TEST(ChildProcessTest, ExpectFailureInChildGivesNonZeroExit) {
  printf("(The child's failure printed below is expected.)\n");
  absl::StatusOr<ChildProcess> child = ForkChild([] {
    EXPECT_EQ(1 + 1, 3) << "deliberate failure inside the child";
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ExitResult result = child->Wait(kGenerous);
  EXPECT_TRUE(ExitedWith(result, kChildTestFailed));
  EXPECT_TRUE(absl::StrContains(result.Describe(), "GoogleTest")) << result;
}

TEST(ChildProcessTest, AssertFailureInChildGivesNonZeroExit) {
  printf("(The child's failure printed below is expected.)\n");
  absl::StatusOr<ChildProcess> child = ForkChild([] {
    ASSERT_TRUE(false) << "deliberate fatal failure inside the child";
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kGenerous), kChildTestFailed));
}

TEST(ChildProcessTest, ChildsOwnNonZeroCodeWinsOverTestFailure) {
  printf("(The child's failure printed below is expected.)\n");
  absl::StatusOr<ChildProcess> child = ForkChild([] {
    ADD_FAILURE() << "deliberate failure inside the child";
    return 4;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kGenerous), 4));
}

#if defined(__cpp_exceptions)
TEST(ChildProcessTest, ExceptionInChildDoesNotEscape) {
  absl::StatusOr<ChildProcess> child = ForkChild([]() -> int {
    throw std::runtime_error("deliberate exception inside the child");
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kGenerous), kChildThrew));
}
#endif

TEST(ChildProcessTest, BufferedOutputIsNotDuplicated) {
  // Send stdout to a file, leave a marker in stdout's buffer, fork, and count
  // the markers that reach the file.
  fflush(stdout);
  FILE* file = tmpfile();
  ASSERT_NE(file, nullptr);
  const int saved_stdout = dup(STDOUT_FILENO);
  ASSERT_GE(saved_stdout, 0);
  ASSERT_GE(dup2(fileno(file), STDOUT_FILENO), 0);
  fputs("<marker>", stdout);  // No newline: stays in the buffer.
  absl::StatusOr<ChildProcess> child = ForkChild([] { return 0; });
  ExitResult result;
  if (child.ok()) result = child->Wait(kGenerous);
  fflush(stdout);
  dup2(saved_stdout, STDOUT_FILENO);
  close(saved_stdout);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(result, 0));

  std::string contents;
  rewind(file);
  for (int c; (c = fgetc(file)) != EOF;)
    contents.push_back(static_cast<char>(c));
  fclose(file);
  EXPECT_EQ(contents, "<marker>");
}

TEST(ChildProcessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid = -1;
  {
    absl::StatusOr<ChildProcess> child = ForkChild([] { SleepForever(); });
    ASSERT_TRUE(child.ok()) << child.status();
    pid = child->pid();
    EXPECT_FALSE(IsReaped(pid));
  }
  EXPECT_TRUE(IsReaped(pid));
}

pid_t forked_before_assert = -1;

void ForkThenFailAnAssert() {
  absl::StatusOr<ChildProcess> child = ForkChild([] { SleepForever(); });
  ASSERT_TRUE(child.ok()) << child.status();
  forked_before_assert = child->pid();
  ASSERT_TRUE(false) << "deliberate early return";
}

TEST(ChildProcessTest, EarlyAssertReturnStillReapsTheChild) {
  EXPECT_FATAL_FAILURE(ForkThenFailAnAssert(), "deliberate early return");
  ASSERT_GT(forked_before_assert, 0);
  EXPECT_TRUE(IsReaped(forked_before_assert));
}

TEST(ChildProcessTest, MovedChildIsStillOwned) {
  absl::StatusOr<ChildProcess> child = ForkChild([] { return 5; });
  ASSERT_TRUE(child.ok()) << child.status();
  ChildProcess moved = *std::move(child);
  // The moved-from object names no process: a caller that signals pid()
  // of it (as a process group, say) must not reach the child.
  EXPECT_EQ(child->pid(), -1);
  EXPECT_TRUE(ExitedWith(moved.Wait(kGenerous), 5));
}

TEST(ChildProcessTest, DescribeSignalNamesTheSignal) {
  EXPECT_EQ(DescribeSignal(SIGKILL), "signal 9 (SIGKILL: Killed)");
  EXPECT_EQ(DescribeSignal(1000), "signal 1000");
}

TEST(ChildProcessTest, AssertionHelpersExplainTheOutcome) {
  ExitResult exited;
  exited.pid = 42;
  exited.exited = true;
  exited.exit_code = 3;
  EXPECT_EQ(std::string(ExitedWith(exited, 0).message()),
            "child 42 exited with code 3; expected it to exit with code 0");
  EXPECT_FALSE(KilledBy(exited, SIGTERM));
  EXPECT_TRUE(ExitedWith(exited, 3));
}

}  // namespace
}  // namespace ipcbox::testing
