// Popen with real programs: read a command's output, write its input, both
// at once (sort), exit statuses, big data without deadlock, a command that
// stops reading, deadlines that kill, and an output limit.

#include <signal.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/process/popen.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::NoChildrenLeft;
using ::ipcbox::testing::ReadToEnd;
using ::testing::HasSubstr;

PopenOptions Bounded() {
  PopenOptions options;
  options.deadline = Deadline::After(absl::Seconds(60));
  return options;
}

TEST(PopenTest, ReadsACommandsOutput) {
  absl::StatusOr<CommandOutput> result =
      Popen::Read(Command({"echo", "hello", "world"}), Bounded());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output, "hello world\n");
  EXPECT_TRUE(result->status.success());
}

TEST(PopenTest, ReportsTheExitStatus) {
  absl::StatusOr<CommandOutput> failed =
      Popen::Read(Command::Shell("echo partial; exit 4"), Bounded());
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->output, "partial\n");
  EXPECT_TRUE(failed->status.exited_with(4));
  absl::StatusOr<CommandOutput> killed =
      Popen::Read(Command::Shell("kill -TERM $$"), Bounded());
  ASSERT_TRUE(killed.ok());
  EXPECT_TRUE(killed->status.killed_by(SIGTERM));
}

TEST(PopenTest, FiltersThroughSort) {
  absl::StatusOr<CommandOutput> sorted = Popen::Filter(
      Command({"sort"}).SetEnv("LC_ALL", "C"), "pear\napple\nfig\n", Bounded());
  ASSERT_TRUE(sorted.ok()) << sorted.status();
  EXPECT_EQ(sorted->output, "apple\nfig\npear\n");
  EXPECT_TRUE(sorted->status.success());
}

TEST(PopenTest, WritesACommandsInput) {
  testing::ScopedUnlink file(UniqueTempPath("popen_write"));
  absl::StatusOr<ExitStatus> status =
      Popen::Write(Command::Shell(absl::StrCat("cat > '", file.path(), "'")),
                   "line one\nline two\n", Bounded());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->success());
  absl::StatusOr<CommandOutput> back =
      Popen::Read(Command({"cat", file.path()}), Bounded());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->output, "line one\nline two\n");
}

TEST(PopenTest, StreamsLikePopenAndPclose) {
  absl::StatusOr<Popen> reading =
      Popen::OpenForReading(Command::Shell("echo a; echo b; exit 2"));
  ASSERT_TRUE(reading.ok()) << reading.status();
  EXPECT_FALSE(reading->input().valid());
  EXPECT_EQ(ReadToEnd(reading->output()), "a\nb\n");
  absl::StatusOr<ExitStatus> status =
      reading->Close(Deadline::After(absl::Seconds(30)));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->exited_with(2));

  absl::StatusOr<Popen> writing =
      Popen::OpenForWriting(Command::Shell("read line; test \"$line\" = ok"));
  ASSERT_TRUE(writing.ok());
  ASSERT_TRUE(writing->input().WriteAll("ok\n").ok());
  status = writing->Close(Deadline::After(absl::Seconds(30)));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->success());
}

TEST(PopenTest, BigInputAndOutputDoNotDeadlock) {
  // 4 MiB through cat: far beyond both pipes' capacity, so writing all of
  // it before reading would deadlock.
  std::string input;
  for (int i = 0; input.size() < (4u << 20); ++i) {
    absl::StrAppend(&input, "line ", i, "\n");
  }
  absl::StatusOr<CommandOutput> result =
      Popen::Filter(Command({"cat"}), input, Bounded());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output.size(), input.size());
  EXPECT_TRUE(result->output == input);
}

TEST(PopenTest, CommandThatStopsReadingIsNotAnError) {
  std::string input(1 << 20, 'x');
  input[10] = '\n';
  absl::StatusOr<CommandOutput> result =
      Popen::Filter(Command({"head", "-c", "5"}), input, Bounded());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output, "xxxxx");
  EXPECT_TRUE(result->status.success());

  absl::StatusOr<ExitStatus> status =
      Popen::Write(Command({"head", "-c", "1"}), input, Bounded());
  ASSERT_TRUE(status.ok()) << status.status();
}

TEST(PopenTest, DeadlineKillsAndReapsTheCommand) {
  PopenOptions options;
  options.deadline = Deadline::After(absl::Milliseconds(200));
  absl::StatusOr<CommandOutput> result =
      Popen::Read(Command({"sleep", "60"}), options);
  EXPECT_TRUE(IsTimedOut(result.status())) << result.status();
  EXPECT_TRUE(NoChildrenLeft());
}

TEST(PopenTest, OutputLimit) {
  PopenOptions options = Bounded();
  options.max_output = 1000;
  absl::StatusOr<CommandOutput> result =
      Popen::Read(Command({"head", "-c", "5000", "/dev/zero"}), options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(result.status().message(), HasSubstr("max_output"));
  EXPECT_TRUE(NoChildrenLeft());
}

TEST(PopenTest, BadCommands) {
  EXPECT_EQ(Popen::Read(Command({"ipcbox-no-such-program"})).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      Popen::Filter(Command(std::vector<std::string>{}), "").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(NoChildrenLeft());
}

}  // namespace
}  // namespace ipcbox
