// Command: what Validate() refuses, the environment and the PATH a child
// gets, and the program lookup done before any child exists.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/process/child_stdio.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/internal/find_program.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(CommandTest, ValidatesArgv) {
  EXPECT_TRUE(Command({"sort"}).Validate().ok());
  absl::Status empty = Command(std::vector<std::string>{}).Validate();
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.message(), HasSubstr("empty argv"));
  EXPECT_EQ(Command({""}).Validate().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Command({"echo", std::string("a\0b", 3)}).Validate().message(),
              HasSubstr("argv[1] holds a NUL byte"));
}

TEST(CommandTest, ValidatesEnvironmentAndDirectory) {
  EXPECT_FALSE(Command({"env"}).SetEnv("A=B", "c").Validate().ok());
  EXPECT_FALSE(Command({"env"}).SetEnv("", "c").Validate().ok());
  EXPECT_FALSE(
      Command({"env"}).SetEnv("A", std::string("x\0y", 3)).Validate().ok());
  EXPECT_FALSE(Command({"pwd"}).SetWorkingDirectory("").Validate().ok());
  EXPECT_TRUE(Command({"env"}).SetEnv("A", "b=c").Validate().ok());
}

TEST(CommandTest, SameAsStdoutIsForStderrOnly) {
  EXPECT_TRUE(
      Command({"true"}).SetStderr(Stdio::SameAsStdout()).Validate().ok());
  EXPECT_FALSE(
      Command({"true"}).SetStdout(Stdio::SameAsStdout()).Validate().ok());
  EXPECT_FALSE(
      Command({"true"}).SetStdin(Stdio::SameAsStdout()).Validate().ok());
}

TEST(CommandTest, BuildsTheEnvironment) {
  ASSERT_EQ(setenv("IPCBOX_COMMAND_TEST", "parent", 1), 0);
  Command inherit({"env"});
  EXPECT_THAT(inherit.BuildEnvironment(),
              Contains("IPCBOX_COMMAND_TEST=parent"));

  Command changed({"env"});
  changed.SetEnv("IPCBOX_COMMAND_TEST", "child").SetEnv("EXTRA", "1");
  EXPECT_THAT(changed.BuildEnvironment(),
              Contains("IPCBOX_COMMAND_TEST=child"));
  EXPECT_THAT(changed.BuildEnvironment(),
              Not(Contains("IPCBOX_COMMAND_TEST=parent")));
  EXPECT_THAT(changed.BuildEnvironment(), Contains("EXTRA=1"));

  Command unset({"env"});
  unset.UnsetEnv("IPCBOX_COMMAND_TEST");
  EXPECT_THAT(unset.BuildEnvironment(),
              Not(Contains("IPCBOX_COMMAND_TEST=parent")));

  Command cleared({"env"});
  cleared.ClearEnv().SetEnv("ONLY", "this");
  EXPECT_EQ(cleared.BuildEnvironment(), std::vector<std::string>{"ONLY=this"});
}

TEST(CommandTest, SearchPathFollowsTheCommandsEnvironment) {
  ASSERT_EQ(setenv("PATH", "/parent/bin", 1), 0);
  EXPECT_EQ(Command({"x"}).SearchPath(), "/parent/bin");
  EXPECT_EQ(Command({"x"}).SetEnv("PATH", "/mine").SearchPath(), "/mine");
  EXPECT_EQ(Command({"x"}).ClearEnv().SearchPath(), "/bin:/usr/bin");
  ASSERT_EQ(setenv("PATH", "/bin:/usr/bin", 1), 0);
}

TEST(CommandTest, ShellWrapsAScript) {
  EXPECT_EQ(Command::Shell("echo hi | wc -c").argv(),
            (std::vector<std::string>{"/bin/sh", "-c", "echo hi | wc -c"}));
  EXPECT_EQ(Command({"a", "b c"}).ToString(), "[\"a\", \"b c\"]");
}

TEST(FindProgramTest, SearchesPathLikeExecvp) {
  absl::StatusOr<std::string> sh =
      process_internal::FindProgram("sh", "/nonexistent:/bin:/usr/bin");
  ASSERT_TRUE(sh.ok()) << sh.status();
  EXPECT_EQ(*sh, "/bin/sh");
  EXPECT_EQ(*process_internal::FindProgram("/bin/sh", ""), "/bin/sh");
}

TEST(FindProgramTest, MissingAndNotExecutable) {
  absl::StatusOr<std::string> missing =
      process_internal::FindProgram("ipcbox-no-such-program", "/bin:/usr/bin");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("\"ipcbox-no-such-program\" not found in PATH"));
  EXPECT_EQ(process_internal::FindProgram("/nonexistent/x", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(process_internal::FindProgram("/tmp", "").status().code(),
            absl::StatusCode::kPermissionDenied);

  testing::ScopedUnlink file(UniqueTempPath("not-executable"));
  const int fd =
      open(file.path().c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  absl::StatusOr<std::string> refused =
      process_internal::FindProgram(file.path(), "");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("cannot be executed"));
}

}  // namespace
}  // namespace ipcbox
