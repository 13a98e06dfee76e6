// examples/process:popen_demo's code: ALP's lines sorted through `sort`, by
// popen and by dup2, print in the order the ALP listing shows; a missing
// command is reported by its exit status.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/process/popen_demo_lib.h"
#include "gtest/gtest.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/exit_status.h"
#include "tests/process/process_test_util.h"

namespace ipcbox::examples {
namespace {

// ALP's five lines, as sort prints them.
constexpr char kExpected[] =
    "Hello, world.\n"
    "My dog has fleas.\n"
    "One fish, two fish.\n"
    "This is a test.\n"
    "This program is great.\n";

struct Captured {
  absl::StatusOr<ExitStatus> status;
  std::string output;
};

Captured RunDemo(PopenDemoMode mode, absl::string_view command) {
  absl::StatusOr<Pipe> capture = CreatePipe();
  EXPECT_TRUE(capture.ok());
  Captured result{
      RunPopenDemo(mode, command, kAlpLines, capture->writer.fd().get()), ""};
  EXPECT_TRUE(capture->writer.Close().ok());
  result.output = testing::ReadToEnd(capture->reader);
  return result;
}

class PopenDemoTest : public ::testing::TestWithParam<PopenDemoMode> {};

TEST_P(PopenDemoTest, SortsAlpsLines) {
  Captured run = RunDemo(GetParam(), "sort");
  ASSERT_TRUE(run.status.ok()) << run.status.status();
  EXPECT_TRUE(run.status->success()) << *run.status;
  EXPECT_EQ(run.output, kExpected);
  EXPECT_TRUE(testing::NoChildrenLeft());
}

TEST_P(PopenDemoTest, CommandWithArguments) {
  Captured run = RunDemo(GetParam(), "sort -r");
  ASSERT_TRUE(run.status.ok()) << run.status.status();
  EXPECT_EQ(run.output,
            "This program is great.\nThis is a test.\nOne fish, two fish.\n"
            "My dog has fleas.\nHello, world.\n");
}

TEST_P(PopenDemoTest, MissingCommand) {
  Captured run = RunDemo(GetParam(), "ipcbox-no-such-command");
  if (GetParam() == PopenDemoMode::kPopen) {
    // popen() runs it through the shell, which reports "not found" with 127.
    ASSERT_TRUE(run.status.ok()) << run.status.status();
    EXPECT_TRUE(run.status->exited_with(127)) << *run.status;
  } else {
    EXPECT_EQ(run.status.status().code(), absl::StatusCode::kNotFound);
  }
  EXPECT_TRUE(testing::NoChildrenLeft());
}

INSTANTIATE_TEST_SUITE_P(BothWays, PopenDemoTest,
                         ::testing::Values(PopenDemoMode::kPopen,
                                           PopenDemoMode::kDup2));

TEST(PopenDemoModeTest, Parses) {
  EXPECT_EQ(*ParsePopenDemoMode("popen"), PopenDemoMode::kPopen);
  EXPECT_EQ(*ParsePopenDemoMode("dup2"), PopenDemoMode::kDup2);
  EXPECT_EQ(ParsePopenDemoMode("fork").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ipcbox::examples
