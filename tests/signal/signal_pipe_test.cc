// SignalPipe: the self-pipe handler wakes a poll loop with the signal's
// number, keeps errno, restores the previous actions, and a loop over it
// does not allocate.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_pipe.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ForkChild;

SignalSet Set(std::initializer_list<int> signals) {
  absl::StatusOr<SignalSet> set = SignalSet::Of(signals);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *set : SignalSet();
}

TEST(SignalPipeTest, DeliversSignalNumbersInOrder) {
  absl::StatusOr<SignalPipe> pipe =
      SignalPipe::Install(Set({SIGUSR1, SIGUSR2}));
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  EXPECT_TRUE(IsWouldBlock(pipe->Take().status()));
  ASSERT_EQ(raise(SIGUSR2), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  absl::StatusOr<int> first = pipe->Take();
  absl::StatusOr<int> second = pipe->Take();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, SIGUSR2);
  EXPECT_EQ(*second, SIGUSR1);
  EXPECT_TRUE(IsWouldBlock(pipe->Take().status()));
}

TEST(SignalPipeTest, WakesAPollLoopWhenAnotherProcessSignals) {
  absl::StatusOr<SignalPipe> pipe = SignalPipe::Install(Set({SIGTERM}));
  ASSERT_TRUE(pipe.ok());
  const pid_t parent = getpid();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    usleep(50 * 1000);
    return SendSignal(parent, SIGTERM).ok() ? 0 : 1;
  });
  ASSERT_TRUE(child.ok());
  pollfd pfd = {pipe->fd(), POLLIN, 0};
  int ready;
  do {
    ready = poll(&pfd, 1, 30 * 1000);
  } while (ready < 0 && errno == EINTR);
  EXPECT_EQ(ready, 1);
  absl::StatusOr<int> signo = pipe->Take();
  ASSERT_TRUE(signo.ok());
  EXPECT_EQ(*signo, SIGTERM);
  EXPECT_TRUE(testing::ExitedWith(child->Wait(absl::Seconds(30)), 0));
}

TEST(SignalPipeTest, WaitForTimesOut) {
  absl::StatusOr<SignalPipe> pipe = SignalPipe::Install(Set({SIGUSR1}));
  ASSERT_TRUE(pipe.ok());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(IsTimedOut(pipe->WaitFor(absl::Milliseconds(100)).status()));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(90));
}

TEST(SignalPipeTest, HandlerKeepsErrno) {
  absl::StatusOr<SignalPipe> pipe = SignalPipe::Install(Set({SIGUSR1}));
  ASSERT_TRUE(pipe.ok());
  // Shrink the pipe to one page and fill it, so that the handler's write
  // fails with EAGAIN: errno must still read as it did before the signal.
  const int capacity = fcntl(pipe->fd(), F_SETPIPE_SZ, 4096);
  ASSERT_GT(capacity, 0);
  for (int i = 0; i < capacity; ++i) ASSERT_EQ(raise(SIGUSR1), 0);
  errno = ERANGE;
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(errno, ERANGE);
  // The numbers that fitted are all there.
  int drained = 0;
  while (pipe->Take().ok()) ++drained;
  EXPECT_EQ(drained, capacity);
}

TEST(SignalPipeTest, RestoresPreviousActionsAndReleasesSignals) {
  absl::StatusOr<struct sigaction> before = CurrentSignalAction(SIGUSR1);
  ASSERT_TRUE(before.ok());
  {
    absl::StatusOr<SignalPipe> pipe = SignalPipe::Install(Set({SIGUSR1}));
    ASSERT_TRUE(pipe.ok());
    SignalPipe moved = *std::move(pipe);
    EXPECT_NE(CurrentSignalAction(SIGUSR1)->sa_handler, before->sa_handler);
  }
  EXPECT_EQ(CurrentSignalAction(SIGUSR1)->sa_handler, before->sa_handler);
  EXPECT_TRUE(SignalPipe::Install(Set({SIGUSR1})).ok());
}

TEST(SignalPipeTest, FailedInstallLeavesNothingInstalled) {
  absl::StatusOr<struct sigaction> before = CurrentSignalAction(SIGUSR1);
  ASSERT_TRUE(before.ok());
  absl::StatusOr<SignalPipe> holder = SignalPipe::Install(Set({SIGUSR2}));
  ASSERT_TRUE(holder.ok());
  // SIGUSR1 is installed first, then SIGUSR2 is refused: SIGUSR1 goes back.
  EXPECT_EQ(SignalPipe::Install(Set({SIGUSR1, SIGUSR2})).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CurrentSignalAction(SIGUSR1)->sa_handler, before->sa_handler);
  EXPECT_TRUE(SignalPipe::Install(Set({SIGUSR1})).ok());
}

TEST(SignalPipeTest, RefusesBadSets) {
  EXPECT_EQ(SignalPipe::Install(SignalSet()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignalPipe::Install(Set({SIGSTOP})).status().code(),
            absl::StatusCode::kInvalidArgument);
  SignalPipe empty;
  EXPECT_EQ(empty.Take().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SignalPipeTest, LoopDoesNotAllocate) {
  absl::StatusOr<SignalPipe> pipe = SignalPipe::Install(Set({SIGUSR1}));
  ASSERT_TRUE(pipe.ok());
  int received = 0;
  EXPECT_NO_ALLOCATIONS(for (int i = 0; i < 100; ++i) {
    raise(SIGUSR1);
    absl::StatusOr<int> signo = pipe->WaitFor(absl::Seconds(10));
    if (signo.ok() && *signo == SIGUSR1) ++received;
  });
  EXPECT_EQ(received, 100);
}

}  // namespace
}  // namespace ipcbox
