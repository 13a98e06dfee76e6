// ScopedSignalMask: signals are blocked (pending, not delivered) while the
// scope lives, and exactly what it changed is changed back.

#include <signal.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_flag.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {
namespace {

SignalSet Set(std::initializer_list<int> signals) {
  absl::StatusOr<SignalSet> set = SignalSet::Of(signals);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *set : SignalSet();
}

SignalSet Mask() {
  absl::StatusOr<SignalSet> mask = CurrentSignalMask();
  EXPECT_TRUE(mask.ok()) << mask.status();
  return mask.ok() ? *mask : SignalSet();
}

TEST(ScopedSignalMaskTest, BlocksThenRestores) {
  const SignalSet before = Mask();
  ASSERT_FALSE(before.Contains(SIGUSR1));
  {
    absl::StatusOr<ScopedSignalMask> mask =
        ScopedSignalMask::Block(Set({SIGUSR1}));
    ASSERT_TRUE(mask.ok()) << mask.status();
    EXPECT_TRUE(Mask().Contains(SIGUSR1));
    EXPECT_EQ(mask->changed(), Set({SIGUSR1}));
  }
  EXPECT_EQ(Mask(), before);
}

TEST(ScopedSignalMaskTest, ABlockedSignalWaitsUntilTheScopeEnds) {
  absl::StatusOr<SignalFlag> flag = SignalFlag::Install(SIGUSR1);
  ASSERT_TRUE(flag.ok()) << flag.status();
  {
    absl::StatusOr<ScopedSignalMask> mask =
        ScopedSignalMask::Block(Set({SIGUSR1}));
    ASSERT_TRUE(mask.ok());
    ASSERT_EQ(raise(SIGUSR1), 0);
    EXPECT_FALSE(flag->raised());
    absl::StatusOr<SignalSet> pending = PendingSignals();
    ASSERT_TRUE(pending.ok());
    EXPECT_TRUE(pending->Contains(SIGUSR1));
  }
  // Unblocking delivers it before pthread_sigmask returns.
  EXPECT_EQ(flag->Take(), 1);
}

TEST(ScopedSignalMaskTest, RestoresOnlyWhatItChanged) {
  absl::StatusOr<ScopedSignalMask> outer =
      ScopedSignalMask::Block(Set({SIGUSR2}));
  ASSERT_TRUE(outer.ok());
  {
    absl::StatusOr<ScopedSignalMask> inner =
        ScopedSignalMask::Block(Set({SIGUSR1, SIGUSR2}));
    ASSERT_TRUE(inner.ok());
    EXPECT_EQ(inner->changed(), Set({SIGUSR1}));
  }
  // The inner scope did not unblock SIGUSR2, which it found blocked.
  EXPECT_TRUE(Mask().Contains(SIGUSR2));
  EXPECT_FALSE(Mask().Contains(SIGUSR1));
  ASSERT_TRUE(outer->Restore().ok());
  EXPECT_FALSE(Mask().Contains(SIGUSR2));
}

TEST(ScopedSignalMaskTest, UnblockScopeBlocksAgainAfterwards) {
  absl::StatusOr<ScopedSignalMask> blocked =
      ScopedSignalMask::Block(Set({SIGUSR1}));
  ASSERT_TRUE(blocked.ok());
  {
    absl::StatusOr<ScopedSignalMask> unblocked =
        ScopedSignalMask::Unblock(Set({SIGUSR1}));
    ASSERT_TRUE(unblocked.ok());
    EXPECT_FALSE(Mask().Contains(SIGUSR1));
  }
  EXPECT_TRUE(Mask().Contains(SIGUSR1));
}

TEST(ScopedSignalMaskTest, MoveTransfersTheDutyToRestore) {
  const SignalSet before = Mask();
  ScopedSignalMask kept;
  {
    absl::StatusOr<ScopedSignalMask> mask =
        ScopedSignalMask::Block(Set({SIGUSR1}));
    ASSERT_TRUE(mask.ok());
    kept = *std::move(mask);
  }
  EXPECT_TRUE(Mask().Contains(SIGUSR1));
  ASSERT_TRUE(kept.Restore().ok());
  EXPECT_EQ(Mask(), before);
}

TEST(ScopedSignalMaskTest, RefusesSigkillAndSigstop) {
  EXPECT_EQ(ScopedSignalMask::Block(Set({SIGTERM, SIGKILL})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ScopedSignalMask::Block(Set({SIGSTOP})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Mask().Contains(SIGTERM));  // nothing half-applied
}

}  // namespace
}  // namespace ipcbox
