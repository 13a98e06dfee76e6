// Writing to a pipe with no reader: an EPIPE status, never a SIGPIPE death,
// and the calling thread's signal state exactly as the caller left it.

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::testing::HasSubstr;

// A pipe whose read end is already closed.
PipeWriter BrokenPipeWriter(bool nonblocking = false) {
  PipeOptions options;
  options.nonblocking_writer = nonblocking;
  absl::StatusOr<Pipe> pipe = CreatePipe(options);
  EXPECT_TRUE(pipe.ok()) << pipe.status();
  if (!pipe.ok()) return PipeWriter();
  EXPECT_TRUE(pipe->reader.Close().ok());
  return std::move(pipe->writer);
}

bool SigpipeBlocked() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE);
}

bool SigpipePending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE);
}

void SetSigpipeBlocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

// Takes a pending SIGPIPE, if any; true if there was one.
bool ConsumePendingSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  const struct timespec no_wait = {0, 0};
  return sigtimedwait(&set, nullptr, &no_wait) == SIGPIPE;
}

void ExpectBrokenPipe(const absl::Status& status) {
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("Broken pipe"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("write(fd "));
}

// Every write call, on both kinds of end.
void WriteEveryWayAndExpectEpipe() {
  for (bool nonblocking : {false, true}) {
    PipeWriter writer = BrokenPipeWriter(nonblocking);
    ExpectBrokenPipe(writer.Write("x").status());
    ExpectBrokenPipe(writer.WriteFor("x", absl::Seconds(10)).status());
    ExpectBrokenPipe(
        writer.WriteUntil("x", Deadline::After(absl::Seconds(10))).status());
    size_t written = 99;
    ExpectBrokenPipe(writer.WriteAll(std::string(100000, 'x'),
                                     Deadline::Infinite(), &written));
    EXPECT_EQ(written, 0u);
    ExpectBrokenPipe(writer.WriteAll("x", Deadline::After(absl::Seconds(10))));
  }
}

// Restores SIGPIPE's disposition and this thread's mask after each test.
class SigpipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sigaction(SIGPIPE, nullptr, &saved_action_), 0);
    pthread_sigmask(SIG_BLOCK, nullptr, &saved_mask_);
    SetDisposition(SIG_DFL);
    SetSigpipeBlocked(false);
  }
  void TearDown() override {
    SetSigpipeBlocked(true);
    while (ConsumePendingSigpipe()) {
    }
    sigaction(SIGPIPE, &saved_action_, nullptr);
    pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
  }
  static void SetDisposition(void (*handler)(int)) {
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, nullptr);
  }

 private:
  struct sigaction saved_action_ = {};
  sigset_t saved_mask_;
};

TEST_F(SigpipeTest, DefaultDispositionProcessSurvivesWithEpipeStatus) {
  WriteEveryWayAndExpectEpipe();  // a SIGPIPE would kill the test binary
  EXPECT_FALSE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, DefaultDispositionInAChildProcess) {
  // The same, observed from outside: the child exits normally.
  absl::StatusOr<testing::ChildProcess> child = ForkChild([] {
    PipeWriter writer = BrokenPipeWriter();
    const absl::Status s = writer.Write("x").status();
    return s.ok() ? 1 : 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(30)), 0));
}

std::atomic<int> handler_calls{0};
void CountingHandler(int) { handler_calls.fetch_add(1); }

TEST_F(SigpipeTest, HandlerIsNotCalledForTheLibrarysOwnSigpipe) {
  handler_calls = 0;
  SetDisposition(CountingHandler);
  WriteEveryWayAndExpectEpipe();
  EXPECT_EQ(handler_calls.load(), 0);
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, IgnoredDisposition) {
  SetDisposition(SIG_IGN);
  WriteEveryWayAndExpectEpipe();
  EXPECT_FALSE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, CallerBlockedSigpipeStaysBlockedAndNothingIsLeftPending) {
  SetSigpipeBlocked(true);
  WriteEveryWayAndExpectEpipe();
  EXPECT_TRUE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, CallersPendingSigpipeIsNotEaten) {
  SetSigpipeBlocked(true);
  ASSERT_EQ(raise(SIGPIPE), 0);  // the caller's own, pending
  ASSERT_TRUE(SigpipePending());
  WriteEveryWayAndExpectEpipe();
  EXPECT_TRUE(SigpipeBlocked());
  EXPECT_TRUE(SigpipePending());
  EXPECT_TRUE(ConsumePendingSigpipe());
  EXPECT_FALSE(SigpipePending());  // merged: exactly one
}

TEST_F(SigpipeTest, MaskIsRestoredAfterSuccessfulWrites) {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(pipe->writer.Write("x").ok());
  EXPECT_FALSE(SigpipeBlocked());
  ASSERT_TRUE(pipe->writer.WriteAll("y", Deadline::After(absl::Seconds(1))).ok());
  EXPECT_FALSE(SigpipeBlocked());
  SetSigpipeBlocked(true);
  ASSERT_TRUE(pipe->writer.Write("z").ok());
  EXPECT_TRUE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, ThreadsKeepTheirOwnSignalState) {
  // One thread keeps SIGPIPE blocked with one pending; others hammer broken
  // pipes. Nobody dies, nobody's pending SIGPIPE is taken.
  std::atomic<bool> holder_ready{false};
  std::atomic<bool> writers_done{false};
  bool holder_still_pending = false;
  std::thread holder([&] {
    SetSigpipeBlocked(true);
    pthread_kill(pthread_self(), SIGPIPE);
    holder_ready = true;
    while (!writers_done) std::this_thread::yield();
    holder_still_pending = ConsumePendingSigpipe();
  });
  while (!holder_ready) std::this_thread::yield();

  std::atomic<int> epipes{0};
  auto hammer = [&] {
    for (int i = 0; i < 200; ++i) {
      PipeWriter writer = BrokenPipeWriter();
      absl::Status s = writer.Write("x").status();
      if (!s.ok() && s.code() == absl::StatusCode::kFailedPrecondition) {
        epipes.fetch_add(1);
      }
    }
  };
  std::thread a(hammer);
  std::thread b(hammer);
  hammer();
  a.join();
  b.join();
  writers_done = true;
  holder.join();
  EXPECT_EQ(epipes.load(), 600);
  EXPECT_TRUE(holder_still_pending);
  EXPECT_FALSE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, ScopedSigpipeBlockNests) {
  {
    ScopedSigpipeBlock outer;
    EXPECT_TRUE(SigpipeBlocked());
    {
      ScopedSigpipeBlock inner;
      EXPECT_TRUE(SigpipeBlocked());
    }
    EXPECT_TRUE(SigpipeBlocked());  // the inner scope did not unblock it
  }
  EXPECT_FALSE(SigpipeBlocked());
}

}  // namespace
}  // namespace ipcbox
