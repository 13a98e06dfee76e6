// SignalFlag: the counting handler notices signals, restores the previous
// action, refuses a second flag on one signal, and reading it is free.

#include <signal.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/signal_flag.h"
#include "ipcbox/signal/signal_pipe.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

TEST(SignalFlagTest, CountsDeliveries) {
  absl::StatusOr<SignalFlag> flag = SignalFlag::Install(SIGUSR1);
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->signo(), SIGUSR1);
  EXPECT_FALSE(flag->raised());
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_TRUE(flag->raised());
  EXPECT_EQ(flag->Take(), 2);
  EXPECT_FALSE(flag->raised());
  EXPECT_EQ(flag->Take(), 0);
}

TEST(SignalFlagTest, RestoresThePreviousAction) {
  absl::StatusOr<struct sigaction> before = CurrentSignalAction(SIGUSR2);
  ASSERT_TRUE(before.ok());
  {
    absl::StatusOr<SignalFlag> flag = SignalFlag::Install(SIGUSR2);
    ASSERT_TRUE(flag.ok());
    SignalFlag moved = *std::move(flag);
    EXPECT_NE(CurrentSignalAction(SIGUSR2)->sa_handler, before->sa_handler);
  }
  EXPECT_EQ(CurrentSignalAction(SIGUSR2)->sa_handler, before->sa_handler);
  // The signal can be claimed again.
  EXPECT_TRUE(SignalFlag::Install(SIGUSR2).ok());
}

TEST(SignalFlagTest, OneIpcboxHandlerPerSignal) {
  absl::StatusOr<SignalFlag> first = SignalFlag::Install(SIGUSR1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(SignalFlag::Install(SIGUSR1).status().code(),
            absl::StatusCode::kAlreadyExists);
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGUSR1});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(SignalPipe::Install(*set).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(SignalFlagTest, RefusesBadSignals) {
  for (int signo : {0, 65, -1, SIGKILL, SIGSTOP}) {
    EXPECT_EQ(SignalFlag::Install(signo).status().code(),
              absl::StatusCode::kInvalidArgument)
        << signo;
  }
  SignalFlag empty;
  EXPECT_FALSE(empty.raised());
  EXPECT_EQ(empty.Take(), 0);
}

TEST(SignalFlagTest, NoticingDoesNotAllocate) {
  absl::StatusOr<SignalFlag> flag = SignalFlag::Install(SIGUSR1);
  ASSERT_TRUE(flag.ok());
  int taken = 0;
  EXPECT_NO_ALLOCATIONS(for (int i = 0; i < 100; ++i) {
    raise(SIGUSR1);
    if (flag->raised()) taken += flag->Take();
  });
  EXPECT_EQ(taken, 100);
}

}  // namespace
}  // namespace ipcbox
