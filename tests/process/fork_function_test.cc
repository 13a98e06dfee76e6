// ForkFunction: a function runs in a real child process whose exit code,
// stdio plumbing and process group are as asked, and whose stdin pipe
// reaches end-of-file (no copy of the write end stays in the child).

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/fork_function.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ReadToEnd;

constexpr absl::Duration kBound = absl::Seconds(30);

TEST(ForkFunctionTest, ReturnValueIsTheExitCode) {
  absl::StatusOr<Child> child = ForkFunction([] { return 17; });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->exited_with(17)) << *status;
}

TEST(ForkFunctionTest, ChildIsAnotherProcess) {
  const pid_t parent = getpid();
  absl::StatusOr<Child> child = ForkFunction(
      [&] { return getppid() == parent && getpid() != parent ? 0 : 1; });
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->WaitFor(kBound)->success());
}

TEST(ForkFunctionTest, PipesStdioAndTheChildSeesEndOfFile) {
  ForkOptions options;
  options.stdio.in = Stdio::Pipe();
  options.stdio.out = Stdio::Pipe();
  options.stdio.err = Stdio::Pipe();
  absl::StatusOr<Child> child = ForkFunction(
      [] {
        // Count stdin's bytes until end-of-file, report on stdout (stdio,
        // flushed at exit) and stderr (write(2)).
        long total = 0;
        char buffer[256];
        ssize_t n;
        while ((n = read(STDIN_FILENO, buffer, sizeof(buffer))) > 0) total += n;
        printf("read %ld bytes\n", total);
        (void)!write(STDERR_FILENO, "done\n", 5);
        return n == 0 ? 0 : 1;
      },
      options);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(child->stdin_writer().WriteAll(std::string(100000, 'x')).ok());
  ASSERT_TRUE(child->stdin_writer().Close().ok());
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "read 100000 bytes\n");
  EXPECT_EQ(ReadToEnd(child->stderr_reader()), "done\n");
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->success()) << *status;
}

TEST(ForkFunctionTest, DevNullStdin) {
  ForkOptions options;
  options.stdio.in = Stdio::Null();
  absl::StatusOr<Child> child = ForkFunction(
      [] {
        char c;
        return read(STDIN_FILENO, &c, 1) == 0 ? 0 : 1;  // end-of-file at once
      },
      options);
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->WaitFor(kBound)->success());
}

TEST(ForkFunctionTest, NewProcessGroupHoldsAtOnce) {
  ForkOptions options;
  options.new_process_group = true;
  absl::StatusOr<Child> child = ForkFunction(
      [] {
        pause();
        return 0;
      },
      options);
  ASSERT_TRUE(child.ok());
  // Set by the parent too, so it holds before the child has run at all.
  EXPECT_EQ(getpgid(child->pid()), child->pid());
  EXPECT_EQ(child->process_group(), child->pid());
  ASSERT_TRUE(child->SignalGroup(SIGTERM).ok());
  EXPECT_TRUE(child->WaitFor(kBound)->killed_by(SIGTERM));
}

TEST(ForkFunctionTest, DieWithParent) {
  ForkOptions options;
  options.die_with_parent = true;
  absl::StatusOr<Child> child = ForkFunction(
      [] {
        int signo = 0;
        prctl(PR_GET_PDEATHSIG, &signo);
        return signo == SIGKILL ? 0 : 1;
      },
      options);
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->WaitFor(kBound)->success());
}

TEST(ForkFunctionTest, BufferedOutputIsNotPrintedTwice) {
  // Something sits in our stdout buffer at the fork; the child writes to a
  // pipe its own line. The pipe must hold the child's line only.
  ForkOptions options;
  options.stdio.out = Stdio::Pipe();
  printf("parent's unflushed text ");
  absl::StatusOr<Child> child = ForkFunction(
      [] {
        printf("child\n");
        return 0;
      },
      options);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "child\n");
  EXPECT_TRUE(child->WaitFor(kBound)->success());
}

TEST(ForkFunctionTest, CloseOtherDescriptors) {
  absl::StatusOr<Pipe> other_child =
      CreatePipe();  // say, another child's stdin
  absl::StatusOr<Pipe> wanted = CreatePipe();
  ASSERT_TRUE(other_child.ok() && wanted.ok());
  const int other_fd = other_child->writer.fd().get();
  const int wanted_fd = wanted->writer.fd().get();
  auto open_fd = [](int fd) { return fcntl(fd, F_GETFD) >= 0; };

  ForkOptions options;
  options.stdio.out = Stdio::Pipe();
  options.close_other_descriptors = true;
  options.keep_open = {wanted_fd};
  absl::StatusOr<Child> child = ForkFunction(
      [&] {
        if (open_fd(other_fd)) return 1;    // closed: not needed here
        if (!open_fd(wanted_fd)) return 2;  // kept
        if (!open_fd(STDOUT_FILENO)) return 3;
        return write(STDOUT_FILENO, "ok", 2) == 2 ? 0 : 4;
      },
      options);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(ReadToEnd(child->stdout_reader()), "ok");
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->success()) << *status;

  // Without the option the child holds the other pipe's write end too.
  child = ForkFunction([&] { return open_fd(other_fd) ? 0 : 1; });
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->WaitFor(kBound)->success());
}

TEST(ForkFunctionTest, BadStdioIsRefusedBeforeForking) {
  ForkOptions options;
  options.stdio.out = Stdio::Fd(999);
  EXPECT_EQ(ForkFunction([] { return 0; }, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.stdio.out = Stdio::SameAsStdout();
  EXPECT_EQ(ForkFunction([] { return 0; }, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(testing::NoChildrenLeft());
}

}  // namespace
}  // namespace ipcbox
