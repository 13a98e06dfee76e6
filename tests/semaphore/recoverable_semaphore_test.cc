// RecoverableSemaphore: a holder killed between its wait and its post does
// not block later waiters forever; a live holder is named on timeout.

#include "ipcbox/semaphore/recoverable_semaphore.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

struct ScopedNames {
  explicit ScopedNames(const std::string& name)
      : sem(name), record(name + ".holder") {}
  ~ScopedNames() {
    ::sem_unlink(sem.c_str());
    ::shm_unlink(record.c_str());
  }
  std::string sem;
  std::string record;
};

TEST(RecoverableSemaphoreTest, AKilledHoldersTurnIsGivenBack) {
  const std::string name = UniqueName("sem_recover");
  ScopedNames cleanup(name);
  SemaphoreOptions options;
  options.initial_value = 1;
  absl::StatusOr<posix::RecoverableSemaphore> turn =
      posix::RecoverableSemaphore::Open(
          *PosixName::Create(name),
          WithOpenMode(OpenMode::kCreateExclusive, options));
  ASSERT_TRUE(turn.ok()) << turn.status();

  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  absl::StatusOr<ChildProcess> holder = ForkChild([&] {
    absl::StatusOr<posix::RecoverableSemaphore> mine =
        posix::RecoverableSemaphore::Open(
            *PosixName::Create(name),
            WithOpenMode(OpenMode::kOpenExisting, options));
    if (!mine.ok()) return 2;
    if (!mine->TakeTurn(Deadline::After(absl::Seconds(30))).ok()) return 3;
    (void)::write(ready[1], "x", 1);
    for (;;) ::pause();  // killed while holding
  });
  ASSERT_TRUE(holder.ok()) << holder.status();
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);

  // Alive: the waiter times out and names it.
  absl::Status waited =
      turn->TakeTurn(Deadline::After(absl::Milliseconds(300)));
  ASSERT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded) << waited;
  EXPECT_THAT(waited.message(),
              HasSubstr(absl::StrCat("process ", holder->pid())));

  ASSERT_TRUE(holder->Kill(SIGKILL).ok());
  ASSERT_TRUE(KilledBy(holder->Wait(kChildTimeout), SIGKILL));
  const pid_t dead = holder->pid();
  // Dead: the waiter gives its turn back and takes it, well within the time.
  EXPECT_TRUE(turn->TakeTurn(Deadline::After(absl::Seconds(30))).ok());
  EXPECT_EQ(turn->recovered_from(), dead);
  EXPECT_TRUE(turn->GiveBackTurn().ok());
}

TEST(RecoverableSemaphoreTest, TimeoutWithNoHolderSaysNobodyPosted) {
  const std::string name = UniqueName("sem_recover_none");
  ScopedNames cleanup(name);
  absl::StatusOr<posix::RecoverableSemaphore> turn =
      posix::RecoverableSemaphore::Open(
          *PosixName::Create(name),
          WithOpenMode(OpenMode::kCreateExclusive, SemaphoreOptions()));
  ASSERT_TRUE(turn.ok()) << turn.status();
  absl::Status waited =
      turn->TakeTurn(Deadline::After(absl::Milliseconds(200)));
  ASSERT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded) << waited;
  EXPECT_THAT(waited.message(), HasSubstr("nobody posted it"));
}

}  // namespace
}  // namespace ipcbox::testing
