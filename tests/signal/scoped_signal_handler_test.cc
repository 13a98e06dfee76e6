// ScopedSignalHandler: the handler runs while the scope lives, and the
// previous action, as sigaction() reports it, is back afterwards.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

std::atomic<int> g_first_runs{0};
std::atomic<int> g_second_runs{0};
std::atomic<int> g_info_value{0};
std::atomic<int> g_info_code{0};

void First(int) { g_first_runs.fetch_add(1); }
void Second(int) { g_second_runs.fetch_add(1); }
void WithInfo(int, siginfo_t* info, void*) {
  g_info_value.store(info->si_value.sival_int);
  g_info_code.store(info->si_code);
}

struct sigaction Query(int signo) {
  absl::StatusOr<struct sigaction> action = CurrentSignalAction(signo);
  EXPECT_TRUE(action.ok()) << action.status();
  if (!action.ok()) return {};
  return *action;
}

// glibc adds SA_RESTORER (its signal-return trampoline) to every action it
// installs, so an action read back can differ from the one saved by this bit.
constexpr int kSaRestorer = 0x04000000;

bool SameAction(const struct sigaction& a, const struct sigaction& b) {
  return a.sa_handler == b.sa_handler &&
         (a.sa_flags & ~kSaRestorer) == (b.sa_flags & ~kSaRestorer) &&
         SignalSet::FromNative(a.sa_mask) == SignalSet::FromNative(b.sa_mask);
}

TEST(ScopedSignalHandlerTest, RunsTheHandlerAndRestoresThePreviousAction) {
  const struct sigaction before = Query(SIGUSR1);
  {
    absl::StatusOr<ScopedSignalHandler> handler =
        ScopedSignalHandler::Install(SIGUSR1, First);
    ASSERT_TRUE(handler.ok()) << handler.status();
    EXPECT_EQ(Query(SIGUSR1).sa_handler, &First);
    EXPECT_NE(Query(SIGUSR1).sa_flags & SA_RESTART, 0);
    EXPECT_TRUE(SameAction(handler->previous(), before));
    const int runs = g_first_runs.load();
    ASSERT_EQ(raise(SIGUSR1), 0);
    EXPECT_EQ(g_first_runs.load(), runs + 1);
  }
  EXPECT_TRUE(SameAction(Query(SIGUSR1), before));
}

TEST(ScopedSignalHandlerTest, NestedScopesRestoreInReverseOrder) {
  const struct sigaction before = Query(SIGUSR2);
  {
    absl::StatusOr<ScopedSignalHandler> outer =
        ScopedSignalHandler::Install(SIGUSR2, First);
    ASSERT_TRUE(outer.ok());
    {
      absl::StatusOr<ScopedSignalHandler> inner =
          ScopedSignalHandler::Install(SIGUSR2, Second);
      ASSERT_TRUE(inner.ok());
      EXPECT_EQ(Query(SIGUSR2).sa_handler, &Second);
    }
    EXPECT_EQ(Query(SIGUSR2).sa_handler, &First);
  }
  EXPECT_TRUE(SameAction(Query(SIGUSR2), before));
}

TEST(ScopedSignalHandlerTest, MoveTransfersTheDutyToRestore) {
  const struct sigaction before = Query(SIGUSR1);
  ScopedSignalHandler kept;
  EXPECT_FALSE(kept.active());
  {
    absl::StatusOr<ScopedSignalHandler> handler =
        ScopedSignalHandler::Install(SIGUSR1, First);
    ASSERT_TRUE(handler.ok());
    kept = *std::move(handler);
  }
  // The moved-from object went away without restoring.
  EXPECT_EQ(Query(SIGUSR1).sa_handler, &First);
  EXPECT_TRUE(kept.active());
  EXPECT_EQ(kept.signo(), SIGUSR1);
  EXPECT_TRUE(kept.Restore().ok());
  EXPECT_FALSE(kept.active());
  EXPECT_TRUE(SameAction(Query(SIGUSR1), before));
  EXPECT_TRUE(kept.Restore().ok());  // idempotent
}

TEST(ScopedSignalHandlerTest, IgnoreAndDefault) {
  const struct sigaction before = Query(SIGUSR1);
  {
    absl::StatusOr<ScopedSignalHandler> ignored =
        ScopedSignalHandler::Ignore(SIGUSR1);
    ASSERT_TRUE(ignored.ok());
    EXPECT_EQ(Query(SIGUSR1).sa_handler, SIG_IGN);
    ASSERT_EQ(raise(SIGUSR1), 0);  // would terminate the test if not ignored
    absl::StatusOr<ScopedSignalHandler> by_default =
        ScopedSignalHandler::SetDefault(SIGUSR1);
    ASSERT_TRUE(by_default.ok());
    EXPECT_EQ(Query(SIGUSR1).sa_handler, SIG_DFL);
  }
  EXPECT_TRUE(SameAction(Query(SIGUSR1), before));
}

TEST(ScopedSignalHandlerTest, OptionsReachSigaction) {
  HandlerOptions options;
  options.restart_interrupted_calls = false;
  ASSERT_TRUE(options.also_block.Add(SIGUSR2).ok());
  absl::StatusOr<ScopedSignalHandler> handler =
      ScopedSignalHandler::Install(SIGUSR1, First, options);
  ASSERT_TRUE(handler.ok());
  const struct sigaction now = Query(SIGUSR1);
  EXPECT_EQ(now.sa_flags & SA_RESTART, 0);
  EXPECT_EQ(sigismember(&now.sa_mask, SIGUSR2), 1);
}

TEST(ScopedSignalHandlerTest, InfoHandlerGetsTheQueuedValue) {
  absl::StatusOr<ScopedSignalHandler> handler =
      ScopedSignalHandler::InstallWithInfo(SIGRTMIN + 1, WithInfo);
  ASSERT_TRUE(handler.ok()) << handler.status();
  EXPECT_NE(Query(SIGRTMIN + 1).sa_flags & SA_SIGINFO, 0);
  // sigqueue() to ourselves: the signal is delivered before it returns
  // (the only thread does not block it).
  ASSERT_TRUE(QueueSignal(getpid(), SIGRTMIN + 1, 4242).ok());
  EXPECT_EQ(g_info_value.load(), 4242);
  EXPECT_EQ(g_info_code.load(), SI_QUEUE);
}

TEST(ScopedSignalHandlerTest, RefusesBadInput) {
  for (int signo : {0, -1, 65, SIGKILL, SIGSTOP, 32}) {
    absl::StatusOr<ScopedSignalHandler> handler =
        ScopedSignalHandler::Install(signo, First);
    EXPECT_EQ(handler.status().code(), absl::StatusCode::kInvalidArgument)
        << signo;
  }
  EXPECT_THAT(ScopedSignalHandler::Install(SIGKILL, First).status().message(),
              HasSubstr("SIGKILL cannot be caught"));
  EXPECT_EQ(ScopedSignalHandler::Ignore(SIGSTOP).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ScopedSignalHandler::Install(SIGUSR1, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ScopedSignalHandler::InstallWithInfo(SIGUSR1, nullptr).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CurrentSignalAction(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ipcbox
