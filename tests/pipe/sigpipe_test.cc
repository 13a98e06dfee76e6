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
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/pipe/ignore_sigpipe.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::testing::HasSubstr;

// Runs `body` (returning an exit status) in a forked child and expects it
// to exit 0: the tests that change the process's SIGPIPE disposition do so
// in a child, so that nothing leaks into the tests after them.
template <typename Fn>
void ExpectChildExitsZero(Fn body, absl::Duration timeout = absl::Seconds(30)) {
  absl::StatusOr<testing::ChildProcess> child = ForkChild(std::move(body));
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(timeout), 0));
}

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
  ExpectChildExitsZero([] {
    PipeWriter writer = BrokenPipeWriter();
    const absl::Status s = writer.Write("x").status();
    return s.ok() ? 1 : 0;
  });
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
  ASSERT_TRUE(
      pipe->writer.WriteAll("y", Deadline::After(absl::Seconds(1))).ok());
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

// A held scope: every write inside takes the bare-write(2) path. Run in a
// child, so that a SIGPIPE the library failed to take would kill the child
// (when the scope ends and unblocks it) and fail the test, not the binary.
TEST_F(SigpipeTest, HeldScopeSurvivesEveryDispositionChangeBetweenWrites) {
  ExpectChildExitsZero([] {
    handler_calls = 0;
    {
      ScopedSigpipeBlock held;
      if (!ScopedSigpipeBlock::HeldInThisThread()) return 10;
      for (void (*handler)(int) :
           {SIG_DFL, CountingHandler, SIG_IGN, SIG_DFL, CountingHandler}) {
        SetDisposition(handler);
        PipeWriter writer = BrokenPipeWriter();
        if (writer.Write("x").ok()) return 11;
        if (writer.WriteAll("xyz").ok()) return 12;
        if (writer.WriteAll(std::string(100000, 'x')).ok()) return 13;
      }
      SetDisposition(SIG_DFL);
    }  // unblocks SIGPIPE: a leftover one would kill the child here
    if (SigpipeBlocked() || SigpipePending()) return 14;
    return handler_calls.load() == 0 ? 0 : 15;
  });
}

TEST_F(SigpipeTest, HeldScopeGivesTheSameStatusesAsAPerCallGuard) {
  ScopedSigpipeBlock held;
  WriteEveryWayAndExpectEpipe();
  EXPECT_TRUE(SigpipeBlocked());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, HeldScopeKeepsTheCallersPendingSigpipe) {
  SetSigpipeBlocked(true);
  ASSERT_EQ(raise(SIGPIPE), 0);
  {
    ScopedSigpipeBlock held;
    WriteEveryWayAndExpectEpipe();
  }
  EXPECT_TRUE(SigpipeBlocked());
  EXPECT_TRUE(ConsumePendingSigpipe());
  EXPECT_FALSE(SigpipePending());
}

TEST_F(SigpipeTest, NoScopeSurvivesADispositionChangeBetweenWrites) {
  // Without a scope every write guards itself: nothing about SIGPIPE is
  // cached from one write to the next.
  ExpectChildExitsZero([] {
    PipeWriter writer = BrokenPipeWriter();
    SetDisposition(SIG_IGN);
    if (writer.Write("x").ok()) return 1;
    SetDisposition(SIG_DFL);
    if (writer.Write("x").ok()) return 2;
    if (writer.WriteAll("x").ok()) return 3;
    return SigpipePending() ? 4 : 0;
  });
}

TEST_F(SigpipeTest, ThreadsHoldingScopesWhileTheDispositionFlips) {
  // Writers hold scopes and hit broken pipes while another thread keeps
  // changing SIGPIPE's disposition; in a child, so a death fails the test.
  ExpectChildExitsZero(
      [] {
        handler_calls = 0;
        std::atomic<bool> stop{false};
        std::thread flipper([&] {
          void (*const handlers[])(int) = {SIG_DFL, SIG_IGN, CountingHandler};
          for (int i = 0; !stop; ++i) SetDisposition(handlers[i % 3]);
        });
        std::atomic<int> epipes{0};
        auto writer_thread = [&] {
          ScopedSigpipeBlock held;
          for (int i = 0; i < 200; ++i) {
            PipeWriter writer = BrokenPipeWriter();
            if (!writer.WriteAll("x").ok()) epipes.fetch_add(1);
          }
        };
        std::thread a(writer_thread);
        std::thread b(writer_thread);
        writer_thread();
        a.join();
        b.join();
        stop = true;
        flipper.join();
        SetDisposition(SIG_DFL);
        if (epipes.load() != 600) return 1;
        if (SigpipePending()) return 2;
        return handler_calls.load() == 0 ? 0 : 3;
      },
      absl::Seconds(60));
}

TEST_F(SigpipeTest, HeldScopeNestsWithoutUnblocking) {
  {
    ScopedSigpipeBlock outer;
    EXPECT_TRUE(ScopedSigpipeBlock::HeldInThisThread());
    { ScopedSigpipeBlock inner; }
    EXPECT_TRUE(ScopedSigpipeBlock::HeldInThisThread());
    EXPECT_TRUE(SigpipeBlocked());
    std::thread other([] {
      // Scopes are per thread: another thread holds none.
      EXPECT_FALSE(ScopedSigpipeBlock::HeldInThisThread());
    });
    other.join();
  }
  EXPECT_FALSE(ScopedSigpipeBlock::HeldInThisThread());
  EXPECT_FALSE(SigpipeBlocked());
}

TEST_F(SigpipeTest,
       HeldScopeLargeWriteAllAndReadFullContinueAfterPartialCalls) {
  // 1 MiB does not fit in a pipe: the inline write and read are partial and
  // the rest goes through the continuation paths.
  absl::StatusOr<Pipe> pipe = CreatePipe();
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  std::string sent(1 << 20, '\0');
  for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7);
  std::string received(sent.size(), '\0');
  size_t bytes_read = 0;
  absl::Status read_status;
  std::thread reader([&] {
    read_status = pipe->reader.ReadFull(absl::MakeSpan(received),
                                        Deadline::Infinite(), &bytes_read);
  });
  size_t bytes_written = 0;
  {
    ScopedSigpipeBlock held;
    EXPECT_TRUE(
        pipe->writer.WriteAll(sent, Deadline::Infinite(), &bytes_written).ok());
  }
  reader.join();
  EXPECT_TRUE(read_status.ok()) << read_status;
  EXPECT_EQ(bytes_written, sent.size());
  EXPECT_EQ(bytes_read, sent.size());
  EXPECT_TRUE(received == sent);
  // End of stream after part of a record is still an error with a message.
  ASSERT_TRUE(pipe->writer.WriteAll("ab").ok());
  ASSERT_TRUE(pipe->writer.Close().ok());
  char buf[4];
  const absl::Status truncated = pipe->reader.ReadFull(absl::MakeSpan(buf));
  EXPECT_EQ(truncated.code(), absl::StatusCode::kDataLoss) << truncated;
}

}  // namespace
}  // namespace ipcbox

namespace ipcbox {
namespace {

// IgnoreSigpipe() changes the whole process, so each test runs in a child.
TEST(IgnoreSigpipeTest, WritesGiveEpipeWithoutTouchingTheMask) {
  ExpectChildExitsZero([] {
    if (!IgnoreSigpipe().ok() || !SigpipeIgnoredByProgram()) return 10;
    struct sigaction now;
    if (sigaction(SIGPIPE, nullptr, &now) != 0 || now.sa_handler != SIG_IGN) {
      return 11;
    }
    // No scope held: the writes take the declared fast path, and a SIGPIPE
    // with the default action would kill this child.
    if (ScopedSigpipeBlock::HeldInThisThread()) return 12;
    PipeWriter writer = BrokenPipeWriter();
    const absl::Status write = writer.Write("x").status();
    if (write.code() != absl::StatusCode::kFailedPrecondition) return 13;
    if (!absl::StrContains(write.message(), "Broken pipe")) return 14;
    if (writer.WriteAll("record").code() !=
        absl::StatusCode::kFailedPrecondition) {
      return 15;
    }
    if (SigpipeBlocked() || SigpipePending()) return 16;
    return ::testing::Test::HasFailure() ? 17 : 0;
  });
}

TEST(IgnoreSigpipeTest, AScopeAfterTheDeclarationLeavesTheMaskAlone) {
  ExpectChildExitsZero([] {
    if (!IgnoreSigpipe().ok()) return 10;
    {
      ScopedSigpipeBlock sigpipe;
      // Nothing to block: no write can raise SIGPIPE any more.
      if (SigpipeBlocked()) return 11;
      PipeWriter writer = BrokenPipeWriter();
      if (writer.Write("x").status().code() !=
          absl::StatusCode::kFailedPrecondition) {
        return 12;
      }
    }
    if (SigpipeBlocked() || SigpipePending()) return 13;
    return ::testing::Test::HasFailure() ? 14 : 0;
  });
}

}  // namespace
}  // namespace ipcbox
