// Graceful shutdown with real processes: a child that exits on SIGTERM, one
// that dies of it, one that ignores it (SIGKILL after the grace period), one
// that had already exited, and process groups with grandchildren.

#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/fork_function.h"
#include "ipcbox/process/internal/process_group.h"
#include "ipcbox/process/shutdown.h"
#include "ipcbox/process/spawn.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "tests/process/process_test_util.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kBound = absl::Seconds(30);

void ExitGracefully(int) { _exit(0); }

// What a test child does with SIGTERM.
enum class OnSigterm { kExit, kDie, kIgnore };

// Sets up `behaviour`, writes one byte to stdout ("ready"), then sleeps.
int SleepAfterSettingUp(OnSigterm behaviour) {
  ScopedSignalHandler handler;
  if (behaviour == OnSigterm::kExit) {
    handler = *ScopedSignalHandler::Install(SIGTERM, ExitGracefully);
  } else if (behaviour == OnSigterm::kIgnore) {
    handler = *ScopedSignalHandler::Ignore(SIGTERM);
  }
  if (write(STDOUT_FILENO, "r", 1) != 1) return 2;
  for (;;) pause();
}

// Reads the "ready" byte a child writes once it has set itself up.
void AwaitReady(Child& child) {
  char ready = 0;
  absl::StatusOr<size_t> n = child.stdout_reader().ReadUntil(
      absl::MakeSpan(&ready, 1), Deadline::After(kBound));
  ASSERT_TRUE(n.ok()) << n.status();
}

absl::StatusOr<Child> StartChild(OnSigterm behaviour, bool new_group = false) {
  ForkOptions options;
  options.stdio.out = Stdio::Pipe();
  options.new_process_group = new_group;
  return ForkFunction([=] { return SleepAfterSettingUp(behaviour); }, options);
}

ShutdownOptions Grace(absl::Duration grace) {
  ShutdownOptions options;
  options.grace = grace;
  return options;
}

TEST(ShutDownTest, ChildThatExitsOnSigterm) {
  absl::StatusOr<Child> child = StartChild(OnSigterm::kExit);
  ASSERT_TRUE(child.ok()) << child.status();
  AwaitReady(*child);
  absl::StatusOr<ShutdownReport> report = ShutDown(*child, Grace(kBound));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kEndedBySigterm);
  ASSERT_TRUE(report->status.has_value());
  EXPECT_TRUE(report->status->exited_with(0)) << report->ToString();
  EXPECT_TRUE(child->reaped());
}

TEST(ShutDownTest, ChildKilledBySigterm) {
  absl::StatusOr<Child> child = Spawn(Command({"sleep", "60"}));
  ASSERT_TRUE(child.ok());
  absl::StatusOr<ShutdownReport> report = ShutDown(*child, Grace(kBound));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kEndedBySigterm);
  EXPECT_TRUE(report->status->killed_by(SIGTERM));
  EXPECT_EQ(report->ToString(),
            "ended by SIGTERM (killed by SIGTERM (signal 15))");
}

TEST(ShutDownTest, ChildThatIgnoresSigtermNeedsSigkill) {
  absl::StatusOr<Child> child = StartChild(OnSigterm::kIgnore);
  ASSERT_TRUE(child.ok());
  AwaitReady(*child);
  const absl::Time start = absl::Now();
  absl::StatusOr<ShutdownReport> report =
      ShutDown(*child, Grace(absl::Milliseconds(300)));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kNeededSigkill);
  EXPECT_TRUE(report->status->killed_by(SIGKILL));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(290));  // grace honoured
  EXPECT_EQ(report->ToString(),
            "needed SIGKILL (killed by SIGKILL (signal 9))");
}

TEST(ShutDownTest, ChildThatHadAlreadyExited) {
  absl::StatusOr<Child> child = ForkFunction([] { return 3; });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(testing::EndedWithin(child->pid(), kBound));
  absl::StatusOr<ShutdownReport> report = ShutDown(*child);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->outcome, ShutdownOutcome::kExitedByItself);
  EXPECT_TRUE(report->status->exited_with(3));
  // Once reaped, shutting down again reports the same.
  report = ShutDown(*child);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->outcome, ShutdownOutcome::kExitedByItself);
}

TEST(ShutDownTest, OtherRequestSignal) {
  absl::StatusOr<Child> child = Spawn(Command({"sleep", "60"}));
  ASSERT_TRUE(child.ok());
  ShutdownOptions options;
  options.request_signal = SIGINT;
  absl::StatusOr<ShutdownReport> report = ShutDown(*child, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->status->killed_by(SIGINT));
}

TEST(ShutDownTest, BadInput) {
  Child empty;
  EXPECT_EQ(ShutDown(empty).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Child> child = Spawn(Command({"sleep", "60"}));
  ASSERT_TRUE(child.ok());
  ShutdownOptions options;
  options.request_signal = 0;
  EXPECT_EQ(ShutDown(*child, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShutDownGroup(*child).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ShutDownProcessGroup(0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShutdownOutcomeName(ShutdownOutcome::kExitedByItself),
            std::string("exited by itself"));
}

// A group leader that forks `members` grandchildren (each set up as told,
// and ready), prints their pids on stdout, then sets itself up and sleeps.
absl::StatusOr<Child> StartGroup(OnSigterm leader,
                                 std::vector<OnSigterm> members) {
  ForkOptions options;
  options.stdio.out = Stdio::Pipe();
  options.new_process_group = true;
  return ForkFunction(
      [=] {
        std::string pids;
        std::vector<Child> started;
        for (OnSigterm member : members) {
          absl::StatusOr<Child> child = StartChild(member);
          if (!child.ok()) return 3;
          char ready;
          if (!child->stdout_reader()
                   .ReadUntil(absl::MakeSpan(&ready, 1),
                              Deadline::After(kBound))
                   .ok()) {
            return 4;
          }
          absl::StrAppend(&pids, child->pid(), " ");
          started.push_back(*std::move(child));
        }
        pids += "\n";
        if (write(STDOUT_FILENO, pids.data(), pids.size()) !=
            static_cast<ssize_t>(pids.size())) {
          return 5;
        }
        return SleepAfterSettingUp(leader);  // never returns
      },
      options);
}

// Reads the grandchildren's pids and the leader's ready byte.
std::vector<pid_t> AwaitGroupReady(Child& leader) {
  std::string line;
  char c = 0;
  const Deadline deadline = Deadline::After(kBound);
  while (
      leader.stdout_reader().ReadUntil(absl::MakeSpan(&c, 1), deadline).ok() &&
      c != '\n') {
    line += c;
  }
  AwaitReady(leader);
  std::vector<pid_t> pids;
  for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    int pid = 0;
    EXPECT_TRUE(absl::SimpleAtoi(word, &pid)) << line;
    pids.push_back(pid);
  }
  return pids;
}

void ExpectNoneRunning(pid_t pgid, const std::vector<pid_t>& members) {
  absl::StatusOr<bool> running = process_internal::GroupHasRunningMember(pgid);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_FALSE(*running);
  for (pid_t pid : members) {
    const std::optional<char> state = testing::ProcessState(pid);
    EXPECT_TRUE(!state.has_value() || *state == 'Z') << pid << " " << *state;
  }
}

TEST(ShutDownGroupTest, WholeGroupEndsOnSigterm) {
  absl::StatusOr<Child> leader =
      StartGroup(OnSigterm::kDie, {OnSigterm::kDie, OnSigterm::kExit});
  ASSERT_TRUE(leader.ok()) << leader.status();
  const std::vector<pid_t> members = AwaitGroupReady(*leader);
  ASSERT_EQ(members.size(), 2u);
  for (pid_t pid : members) EXPECT_EQ(getpgid(pid), leader->pid());

  absl::StatusOr<ShutdownReport> report = ShutDownGroup(*leader, Grace(kBound));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kEndedBySigterm);
  EXPECT_TRUE(report->status->killed_by(SIGTERM)) << report->ToString();
  ExpectNoneRunning(leader->pid(), members);
}

TEST(ShutDownGroupTest, AMemberIgnoringSigtermNeedsSigkill) {
  absl::StatusOr<Child> leader =
      StartGroup(OnSigterm::kExit, {OnSigterm::kDie, OnSigterm::kIgnore});
  ASSERT_TRUE(leader.ok());
  const std::vector<pid_t> members = AwaitGroupReady(*leader);
  ASSERT_EQ(members.size(), 2u);

  absl::StatusOr<ShutdownReport> report =
      ShutDownGroup(*leader, Grace(absl::Milliseconds(300)));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kNeededSigkill);
  // The leader itself ended gracefully within the grace period.
  EXPECT_TRUE(report->status->exited_with(0)) << report->ToString();
  ExpectNoneRunning(leader->pid(), members);
}

TEST(ShutDownGroupTest, LeaderGoneButMemberRunning) {
  ForkOptions options;
  options.stdio.out = Stdio::Pipe();
  options.new_process_group = true;
  absl::StatusOr<Child> leader = ForkFunction(
      [] {
        absl::StatusOr<Child> member = StartChild(OnSigterm::kDie);
        if (!member.ok()) return 3;
        char ready;
        if (!member->stdout_reader()
                 .ReadUntil(absl::MakeSpan(&ready, 1), Deadline::After(kBound))
                 .ok()) {
          return 4;
        }
        if (write(STDOUT_FILENO, "r", 1) != 1) return 5;
        member->set_when_destroyed(WhenDestroyedRunning::kLeaveToReaper);
        return 0;  // the member keeps running in the group
      },
      options);
  ASSERT_TRUE(leader.ok());
  AwaitReady(*leader);
  ASSERT_TRUE(testing::EndedWithin(leader->pid(), kBound));

  absl::StatusOr<ShutdownReport> report = ShutDownGroup(*leader, Grace(kBound));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kEndedBySigterm);
  EXPECT_TRUE(report->status->exited_with(0));
  ExpectNoneRunning(leader->pid(), {});
}

TEST(ShutDownGroupTest, GroupThatHadAlreadyEnded) {
  ForkOptions options;
  options.new_process_group = true;
  absl::StatusOr<Child> leader = ForkFunction([] { return 0; }, options);
  ASSERT_TRUE(leader.ok());
  ASSERT_TRUE(testing::EndedWithin(leader->pid(), kBound));
  absl::StatusOr<ShutdownReport> report = ShutDownGroup(*leader);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kExitedByItself);
  EXPECT_TRUE(report->status->success());
}

TEST(ShutDownGroupTest, GroupNotLedByOurChild) {
  absl::StatusOr<Child> leader =
      StartChild(OnSigterm::kDie, /*new_group=*/true);
  ASSERT_TRUE(leader.ok());
  AwaitReady(*leader);
  absl::StatusOr<ShutdownReport> report =
      ShutDownProcessGroup(leader->pid(), Grace(kBound));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outcome, ShutdownOutcome::kEndedBySigterm);
  EXPECT_FALSE(report->status.has_value());
  // Our Child still reaps its own process.
  absl::StatusOr<ExitStatus> status = leader->WaitFor(kBound);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->killed_by(SIGTERM));
}

}  // namespace
}  // namespace ipcbox
