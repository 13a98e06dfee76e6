// Spawn: real programs (/bin/sh, cat, ...) with stdin, stdout and stderr
// piped, inherited or sent to /dev/null; exit codes and signals; the
// environment, working directory, signal mask and dispositions a child
// starts with; and bad input, which must leave no child behind.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/spawn.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::NoChildrenLeft;
using ::ipcbox::testing::ReadToEnd;
using ::testing::HasSubstr;

constexpr absl::Duration kBound = absl::Seconds(30);

ExitStatus RunToEnd(const Command& command) {
  absl::StatusOr<Child> child = Spawn(command);
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return ExitStatus::Exited(255);
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  EXPECT_TRUE(status.ok()) << status.status();
  return status.ok() ? *status : ExitStatus::Exited(255);
}

// Runs a shell script with stdout piped and returns what it printed.
std::string ShellOutput(absl::string_view script, Command* base = nullptr) {
  Command command = base != nullptr ? *base : Command::Shell(script);
  command.SetStdout(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(command);
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return "";
  std::string output = ReadToEnd(child->stdout_reader());
  EXPECT_TRUE(child->WaitFor(kBound).ok());
  return output;
}

TEST(SpawnTest, ReportsExitCodes) {
  EXPECT_TRUE(RunToEnd(Command({"true"})).success());
  EXPECT_TRUE(RunToEnd(Command({"false"})).exited_with(1));
  EXPECT_TRUE(RunToEnd(Command::Shell("exit 42")).exited_with(42));
}

TEST(SpawnTest, ReportsTheTerminatingSignal) {
  const ExitStatus status = RunToEnd(Command::Shell("kill -TERM $$"));
  EXPECT_TRUE(status.killed_by(SIGTERM)) << status;
  EXPECT_EQ(status.ToString(), "killed by SIGTERM (signal 15)");
  EXPECT_TRUE(RunToEnd(Command::Shell("kill -KILL $$")).killed_by(SIGKILL));
}

TEST(SpawnTest, PipesStdinToStdout) {
  Command cat({"cat"});
  cat.SetStdin(Stdio::Pipe()).SetStdout(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(cat);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(child->stdin_writer().WriteAll("through cat\n").ok());
  ASSERT_TRUE(child->stdin_writer().Close().ok());  // cat sees end-of-file
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "through cat\n");
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->success());
  // Descriptors that were not piped have no parent end.
  EXPECT_FALSE(child->stderr_reader().valid());
}

TEST(SpawnTest, PipesStderrSeparatelyOrWithStdout) {
  Command separate = Command::Shell("echo out; echo err >&2");
  separate.SetStdout(Stdio::Pipe()).SetStderr(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(separate);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "out\n");
  EXPECT_EQ(ReadToEnd(child->stderr_reader()), "err\n");
  EXPECT_TRUE(child->WaitFor(kBound).ok());

  Command merged = Command::Shell("echo out; echo err >&2");
  merged.SetStdout(Stdio::Pipe()).SetStderr(Stdio::SameAsStdout());
  child = Spawn(merged);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "out\nerr\n");
  EXPECT_TRUE(child->WaitFor(kBound).ok());
}

TEST(SpawnTest, DevNullAndInheritedDescriptors) {
  // The child reports where its descriptors 0 and 2 point (one readlink
  // per file: busybox's takes only one).
  Command probe =
      Command::Shell("readlink /proc/$$/fd/0; readlink /proc/$$/fd/2");
  probe.SetStdin(Stdio::Null());  // stderr inherited
  const std::string output = ShellOutput("", &probe);
  char ours[256] = {};
  ASSERT_GT(readlink("/proc/self/fd/2", ours, sizeof(ours) - 1), 0);
  EXPECT_EQ(output, absl::StrCat("/dev/null\n", ours, "\n"));

  // Output to /dev/null goes nowhere; the exit code still arrives.
  Command quiet = Command::Shell("echo lost; exit 3");
  quiet.SetStdout(Stdio::Null());
  EXPECT_TRUE(RunToEnd(quiet).exited_with(3));
}

TEST(SpawnTest, BorrowedDescriptor) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok());
  Command echo = Command::Shell("echo to a borrowed fd");
  echo.SetStdout(Stdio::Fd(pipe->writer.fd().get()));
  EXPECT_TRUE(RunToEnd(echo).success());
  ASSERT_TRUE(pipe->writer.Close().ok());  // ours was the last write end
  EXPECT_EQ(ReadToEnd(pipe->reader), "to a borrowed fd\n");

  Command bad({"true"});
  bad.SetStdout(Stdio::Fd(999));
  EXPECT_EQ(Spawn(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpawnTest, ChildHoldsNoOtherEndOfItsPipes) {
  // The child lists what each of its descriptors is. Its stdin and stdout
  // are two pipes; had the spawn leaked a pipe end (the write end of its
  // own stdin, the parent's read end of its stdout), a pipe would show up
  // twice and the child would never see end-of-file on stdin.
  Command probe =
      Command::Shell("for f in /proc/$$/fd/*; do readlink $f; done");
  probe.SetStdin(Stdio::Pipe()).SetStderr(Stdio::Null());
  const std::string output = ShellOutput("", &probe);
  std::vector<std::string> pipes;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "pipe:")) pipes.emplace_back(line);
  }
  ASSERT_EQ(pipes.size(), 2u) << output;
  EXPECT_NE(pipes[0], pipes[1]) << output;
}

TEST(SpawnTest, EnvironmentAndWorkingDirectory) {
  Command env = Command::Shell("echo \"$IPCBOX_VALUE\"; pwd");
  env.SetEnv("IPCBOX_VALUE", "from the parent").SetWorkingDirectory("/proc");
  EXPECT_EQ(ShellOutput("", &env), "from the parent\n/proc\n");

  Command missing_dir({"true"});
  missing_dir.SetWorkingDirectory("/nonexistent/dir");
  absl::StatusOr<Child> child = Spawn(missing_dir);
  // posix_spawn reports the failed chdir natively; under qemu-user the
  // child exits with 127 instead (see spawn.h).
  if (child.ok()) {
    absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
    ASSERT_TRUE(status.ok());
    EXPECT_TRUE(status->exited_with(127)) << *status;
  } else {
    EXPECT_THAT(child.status().message(), HasSubstr("No such file"));
  }
}

// The hex mask of a /proc/<pid>/status field ("SigBlk", "SigIgn") as the
// child sees it.
uint64_t ChildSignalField(absl::string_view field) {
  const std::string output = ShellOutput(
      absl::StrCat("grep '^", field, ":' /proc/$$/status | cut -f2"));
  uint64_t mask = ~uint64_t{0};
  EXPECT_TRUE(absl::SimpleHexAtoi(absl::StripAsciiWhitespace(output), &mask))
      << output;
  return mask;
}

uint64_t Bit(int signo) { return uint64_t{1} << (signo - 1); }

TEST(SpawnTest, ChildStartsWithAnEmptyMaskAndDefaultSigpipe) {
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGTERM, SIGUSR1});
  ASSERT_TRUE(set.ok());
  absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
  ASSERT_TRUE(mask.ok());
  absl::StatusOr<ScopedSignalHandler> ignore_pipe =
      ScopedSignalHandler::Ignore(SIGPIPE);
  ASSERT_TRUE(ignore_pipe.ok());
  absl::StatusOr<ScopedSignalHandler> ignore_hup =
      ScopedSignalHandler::Ignore(SIGHUP);
  ASSERT_TRUE(ignore_hup.ok());

  EXPECT_EQ(ChildSignalField("SigBlk") & (Bit(SIGTERM) | Bit(SIGUSR1)), 0u);
  const uint64_t ignored = ChildSignalField("SigIgn");
  EXPECT_EQ(ignored & Bit(SIGPIPE), 0u);
  EXPECT_NE(ignored & Bit(SIGHUP), 0u);  // nohup's choice is kept
}

TEST(SpawnTest, NewProcessGroup) {
  Command sleeper({"sleep", "30"});
  sleeper.SetNewProcessGroup(true);
  absl::StatusOr<Child> child = Spawn(sleeper);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->process_group(), child->pid());
  EXPECT_EQ(getpgid(child->pid()), child->pid());
  ASSERT_TRUE(child->SignalGroup(SIGTERM).ok());
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->killed_by(SIGTERM));

  absl::StatusOr<Child> same_group = Spawn(Command({"true"}));
  ASSERT_TRUE(same_group.ok());
  EXPECT_EQ(same_group->process_group(), 0);
  EXPECT_EQ(same_group->SignalGroup(SIGTERM).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SpawnBadInputTest, NonexistentProgramLeavesNoChild) {
  ASSERT_TRUE(NoChildrenLeft());
  absl::StatusOr<Child> child = Spawn(Command({"ipcbox-no-such-program"}));
  EXPECT_EQ(child.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(child.status().message(),
              HasSubstr("\"ipcbox-no-such-program\" not found in PATH"));
  child = Spawn(Command({"/nonexistent/program"}));
  EXPECT_EQ(child.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(NoChildrenLeft());
}

TEST(SpawnBadInputTest, EmptyArgvAndNotExecutable) {
  EXPECT_EQ(Spawn(Command(std::vector<std::string>{})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Spawn(Command({""})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Spawn(Command({"/proc"})).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(NoChildrenLeft());
}

// Whether posix_spawn() here reports an exec failure itself (it does on
// real kernels; qemu-user turns its vfork into a fork and cannot).
bool PosixSpawnReportsExecFailures() {
  char* argv[] = {const_cast<char*>("/nonexistent/x"), nullptr};
  pid_t pid = -1;
  const int err = posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ);
  if (err == 0) waitpid(pid, nullptr, 0);
  return err != 0;
}

TEST(SpawnBadInputTest, ExecFailureIsAStatusWithTheChildReaped) {
  testing::ScopedUnlink file(UniqueTempPath("not-a-program"));
  const int fd =
      open(file.path().c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "\x01\x02garbage", 9), 9);
  close(fd);
  if (!PosixSpawnReportsExecFailures()) {
    GTEST_SKIP() << "posix_spawn() cannot report exec failures here "
                    "(qemu-user emulates its vfork with fork); such a child "
                    "exits with code 127";
  }
  absl::StatusOr<Child> child = Spawn(Command({file.path()}));
  EXPECT_FALSE(child.ok());
  EXPECT_THAT(child.status().message(), HasSubstr("Exec format error"));
  EXPECT_TRUE(NoChildrenLeft());
}

// A child killed with SIGKILL in the middle of a stream: its reader gets
// what the pipe still holds, then end-of-stream (no write end is left
// anywhere, so the read cannot hang), and its status names SIGKILL.
TEST(SpawnKilledTest, ReaderGetsEndOfStreamAfterSigkillMidStream) {
  Command zeros({"cat", "/dev/zero"});
  zeros.SetStdout(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(zeros);
  ASSERT_TRUE(child.ok()) << child.status();
  const Deadline deadline = Deadline::After(kBound);
  char buffer[4096];
  size_t total = 0;
  while (total < 256 * 1024) {  // several pipefuls: cat is mid-stream
    absl::StatusOr<size_t> n =
        child->stdout_reader().ReadUntil(absl::MakeSpan(buffer), deadline);
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(absl::string_view(buffer, *n), std::string(*n, '\0'));
    total += *n;
  }
  ASSERT_TRUE(child->Signal(SIGKILL).ok());
  // What the pipe still holds, then the end (or, were a write end left
  // open somewhere, a timeout at the deadline instead of a hang).
  absl::Status end;
  for (;;) {
    absl::StatusOr<size_t> n =
        child->stdout_reader().ReadUntil(absl::MakeSpan(buffer), deadline);
    if (!n.ok()) {
      end = n.status();
      break;
    }
  }
  EXPECT_TRUE(IsEndOfStream(end)) << end;
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->killed_by(SIGKILL)) << *status;
}

// Writing to the stdin of a child that was killed is an EPIPE status, not
// the parent's death by SIGPIPE, even with SIGPIPE at its default action.
TEST(SpawnKilledTest, WritingToAKilledChildIsEpipeNotSigpipe) {
  absl::StatusOr<ScopedSignalHandler> default_pipe =
      ScopedSignalHandler::SetDefault(SIGPIPE);
  ASSERT_TRUE(default_pipe.ok()) << default_pipe.status();
  Command cat({"cat"});
  cat.SetStdin(Stdio::Pipe()).SetStdout(Stdio::Null());
  absl::StatusOr<Child> child = Spawn(cat);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(child->stdin_writer()
                  .WriteAll("read by cat\n", Deadline::After(kBound))
                  .ok());
  ASSERT_TRUE(child->Signal(SIGKILL).ok());
  // Reaped: the process and its read end of the pipe are gone.
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->killed_by(SIGKILL)) << *status;

  const absl::Status written = child->stdin_writer().WriteAll(
      std::string(100000, 'x'), Deadline::After(kBound));
  EXPECT_TRUE(absl::IsFailedPrecondition(written)) << written;
  EXPECT_THAT(written.message(), HasSubstr("Broken pipe"));
}

}  // namespace
}  // namespace ipcbox
