// lib/signal's SignalFd and lib/pipe's ScopedSigpipeBlock under injected
// faults. SignalFd says "EINTR is retried": a storm on read (and on the
// poll of a blocking read) is absorbed; EAGAIN is WouldBlock for a
// non-blocking read and a wait for a blocking one, TimedOut at the
// deadline; a short read buffer (the kernel refuses it, EINVAL) and other
// errors name the call; none of them loses the pending signal.
// ScopedSigpipeBlock retries sigtimedwait's EINTR, so the SIGPIPE a write
// raised is still thrown away, and takes EAGAIN as "nothing pending".

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_info.h"
#include "ipcbox/signal/signal_set.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {
namespace {

bool Pending(int signo) {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  return sigismember(&pending, signo) == 1;
}

class SignalFdFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<SignalSet> set = SignalSet::Of({SIGUSR1});
    ASSERT_TRUE(set.ok()) << set.status();
    absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
    ASSERT_TRUE(mask.ok()) << mask.status();
    mask_.emplace(*std::move(mask));
    absl::StatusOr<SignalFd> blocking = SignalFd::Create(*set);
    ASSERT_TRUE(blocking.ok()) << blocking.status();
    blocking_.emplace(*std::move(blocking));
    SignalFdOptions options;
    options.nonblocking = true;
    absl::StatusOr<SignalFd> nonblocking = SignalFd::Create(*set, options);
    ASSERT_TRUE(nonblocking.ok()) << nonblocking.status();
    nonblocking_.emplace(*std::move(nonblocking));
  }
  void TearDown() override {
    // Nothing may be left pending when the mask goes.
    while (Pending(SIGUSR1)) (void)nonblocking_->Read();
    nonblocking_.reset();
    blocking_.reset();
    mask_.reset();
  }

  // SIGUSR1 is read by `fd` after the faults: it was not lost.
  void ExpectStillPending(SignalFd& fd) {
    absl::StatusOr<SignalInfo> info = fd.ReadFor(kLong);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->signo, SIGUSR1);
  }

  const LeakCheck leak_check_;  // first: it checks after the rest is gone
  std::optional<ScopedSignalMask> mask_;
  std::optional<SignalFd> blocking_;
  std::optional<SignalFd> nonblocking_;
};

TEST_F(SignalFdFaultTest, EintrStormsOnReadAndPollAreRetried) {
  ASSERT_EQ(::raise(SIGUSR1), 0);
  {
    ScopedFault storm(Syscall::kRead,
                      FaultOn(nonblocking_->fd(), EINTR, kStorm));
    absl::StatusOr<SignalInfo> info = nonblocking_->Read();
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->signo, SIGUSR1);
    EXPECT_EQ(storm.injected(), kStorm);
    Tally(storm);
  }
  ASSERT_EQ(::raise(SIGUSR1), 0);
  {
    // The blocking read: each EAGAIN sends it to poll(), which is
    // interrupted, and it reads again; after the storm, the signal.
    ScopedFault empty(Syscall::kRead, FaultOn(blocking_->fd(), EAGAIN, kStorm));
    ScopedFault storm(Syscall::kPoll, FaultOn(blocking_->fd(), EINTR, kStorm));
    absl::StatusOr<SignalInfo> info = blocking_->Read();
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->signo, SIGUSR1);
    EXPECT_EQ(empty.injected(), kStorm);
    EXPECT_EQ(storm.injected(), kStorm);
    Tally(empty);
    Tally(storm);
  }
}

TEST_F(SignalFdFaultTest, EagainIsWouldBlockOnceOrTimedOutAtTheDeadline) {
  ASSERT_EQ(::raise(SIGUSR1), 0);
  {
    ScopedFault empty(Syscall::kRead, FaultOn(nonblocking_->fd(), EAGAIN, -1));
    EXPECT_TRUE(IsWouldBlock(nonblocking_->Read().status()));
    EXPECT_EQ(empty.injected(), 1);
    Tally(empty);
  }
  {
    ScopedFault empty(Syscall::kRead, FaultOn(blocking_->fd(), EAGAIN, -1));
    EXPECT_TRUE(
        IsTimedOut(blocking_->ReadFor(absl::Milliseconds(20)).status()));
    EXPECT_GE(empty.injected(), 1);
    Tally(empty);
  }
  ExpectStillPending(*blocking_);
}

TEST_F(SignalFdFaultTest, ShortBuffersAndOtherErrorsNameReadAndLoseNothing) {
  ASSERT_EQ(::raise(SIGUSR1), 0);
  {
    // Less than one signalfd_siginfo: the kernel says EINVAL, takes nothing.
    Fault short_read = FaultOn(nonblocking_->fd(), 0, 1);
    short_read.max_bytes = 64;
    ExpectFailureNaming(Syscall::kRead, short_read, "read",
                        [&] { return nonblocking_->Read(); });
  }
  for (int error : {EIO, EBADF, EFAULT}) {
    ExpectFailureNaming(Syscall::kRead, FaultOn(blocking_->fd(), error, -1),
                        "read", [&] { return blocking_->ReadFor(kLong); });
  }
  {
    ScopedFault fault(Syscall::kPoll, FaultOn(blocking_->fd(), ENOMEM, 1));
    ScopedFault empty(Syscall::kRead, FaultOn(blocking_->fd(), EAGAIN, 1));
    EXPECT_TRUE(IsErrorNaming(blocking_->ReadFor(kLong).status(), "poll"));
    EXPECT_EQ(fault.injected(), 1);
    Tally(fault);
    Tally(empty);
  }
  ExpectStillPending(*nonblocking_);
}

// --- sigtimedwait ----------------------------------------------------------

TEST(SigpipeFaultTest, AnInterruptedDiscardIsRetried) {
  // The test blocks SIGPIPE itself, so the scope leaves it blocked at exit
  // and what it failed to discard shows as pending rather than killing us.
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGPIPE});
  ASSERT_TRUE(set.ok());
  absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
  ASSERT_TRUE(mask.ok()) << mask.status();
  ASSERT_FALSE(Pending(SIGPIPE));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  {
    ScopedFault storm(Syscall::kSigtimedwait, FaultOn(-1, EINTR, kStorm));
    ScopedSigpipeBlock sigpipe;
    ASSERT_EQ(::write(fds[1], "x", 1), -1);
    ASSERT_EQ(errno, EPIPE);
    ASSERT_TRUE(Pending(SIGPIPE));
    sigpipe.DiscardRaisedSigpipe();
    EXPECT_EQ(storm.injected(), kStorm);
    Tally(storm);
  }
  EXPECT_FALSE(Pending(SIGPIPE)) << "the write's SIGPIPE was not discarded";
  {
    ScopedFault none(Syscall::kSigtimedwait, FaultOn(-1, EAGAIN, 1));
    ScopedSigpipeBlock sigpipe;
    sigpipe.DiscardRaisedSigpipe();  // EAGAIN: nothing pending, fine
    EXPECT_EQ(none.injected(), 1);
    Tally(none);
  }
  ::close(fds[1]);
  EXPECT_FALSE(Pending(SIGPIPE));
}

}  // namespace
}  // namespace ipcbox::testing
