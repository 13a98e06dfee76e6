// Signal numbers and sets: what is accepted, what is refused and how the
// refusal reads.

#include <signal.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/signal/signal_number.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

TEST(CheckSignalNumberTest, AcceptsClassicAndRealTimeSignals) {
  for (int signo : {1, SIGTERM, SIGKILL, SIGSTOP, SIGSYS, SIGRTMIN,
                    SIGRTMIN + 1, SIGRTMAX}) {
    EXPECT_TRUE(CheckSignalNumber(signo).ok()) << signo;
  }
  EXPECT_EQ(MaxSignalNumber(), 64);
}

TEST(CheckSignalNumberTest, RefusesNumbersOutsideTheRange) {
  for (int signo : {0, -1, 65, 1000}) {
    absl::Status status = CheckSignalNumber(signo);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << signo;
    EXPECT_THAT(status.message(), HasSubstr("valid numbers are 1..64"));
  }
}

TEST(CheckSignalNumberTest, RefusesTheCLibrarysReservedNumbers) {
  for (int signo = SIGSYS + 1; signo < SIGRTMIN; ++signo) {
    absl::Status status = CheckSignalNumber(signo);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << signo;
    EXPECT_THAT(status.message(), HasSubstr("reserved by the C library"));
  }
}

TEST(CheckHandleableSignalTest, RefusesSigkillAndSigstop) {
  for (int signo : {SIGKILL, SIGSTOP}) {
    absl::Status status = CheckHandleableSignal(signo);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("cannot be caught"));
  }
  EXPECT_THAT(CheckHandleableSignal(SIGKILL).message(), HasSubstr("SIGKILL"));
  EXPECT_TRUE(CheckHandleableSignal(SIGTERM).ok());
  EXPECT_FALSE(CheckHandleableSignal(0).ok());
  EXPECT_FALSE(CheckHandleableSignal(65).ok());
}

TEST(SignalNameTest, NamesSignals) {
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(SignalName(SIGRTMIN + 3), "SIGRTMIN+3");
  EXPECT_EQ(SignalName(SIGRTMAX), "SIGRTMAX");
  EXPECT_EQ(SignalName(99), "signal 99");
  EXPECT_EQ(SignalName(0), "signal 0");
}

TEST(SignalSetTest, OfChecksEveryMember) {
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGINT, SIGTERM});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->Contains(SIGINT));
  EXPECT_TRUE(set->Contains(SIGTERM));
  EXPECT_FALSE(set->Contains(SIGHUP));
  EXPECT_EQ(set->ToString(), "{SIGINT, SIGTERM}");

  EXPECT_EQ(SignalSet::Of({SIGINT, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignalSet::Of({65}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignalSet::Of({32}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignalSetTest, AddRemoveMinus) {
  SignalSet set;
  EXPECT_TRUE(set.empty());
  ASSERT_TRUE(set.Add(SIGUSR1).ok());
  ASSERT_TRUE(set.Add(SIGRTMIN + 2).ok());
  EXPECT_FALSE(set.Add(-1).ok());
  absl::StatusOr<SignalSet> usr1 = SignalSet::Of({SIGUSR1});
  ASSERT_TRUE(usr1.ok());
  EXPECT_EQ(set.Minus(*usr1).ToString(), "{SIGRTMIN+2}");
  ASSERT_TRUE(set.Remove(SIGRTMIN + 2).ok());
  EXPECT_EQ(set, *usr1);
  EXPECT_FALSE(set.Contains(0));

  // Only real-time members: glibc's sigisemptyset() gets this one wrong.
  absl::StatusOr<SignalSet> realtime = SignalSet::Of({SIGRTMIN + 3});
  ASSERT_TRUE(realtime.ok());
  EXPECT_FALSE(realtime->empty());
  EXPECT_FALSE(set.Contains(1000));
}

}  // namespace
}  // namespace ipcbox
