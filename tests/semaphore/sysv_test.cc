// System V semaphore sets: keys, creation and the initialisation race,
// removal, several operations applied atomically, SEM_UNDO on and off, and
// util-linux's ipcrm as a real peer.

#include <fcntl.h>
#include <spawn.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore.h"
#include "ipcbox/semaphore/sysv_semaphore_set.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"

extern char** environ;

namespace ipcbox::testing {
namespace {

using sysv::IpcKey;
using sysv::SemaphoreSet;
using sysv::SemaphoreSetOptions;
using sysv::SemOp;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr absl::Duration kLongWait = absl::Seconds(30);

// A key no other test uses: the hash of a unique name.
IpcKey UniqueKey() {
  return IpcKey::FromName(PosixName::Create(UniqueName("sysv_test")).value());
}

bool KeyExists(IpcKey key) { return ::semget(key.value(), 0, 0) >= 0; }

SemaphoreSet MakeSet(std::vector<unsigned> values,
                     IpcKey key = IpcKey::Private()) {
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(key, values);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *std::move(set) : SemaphoreSet();
}

// --- Keys --------------------------------------------------------------------

TEST(SysvSemaphoreKeyTest, FromPathIsStableForOneFile) {
  const std::string path = UniqueTempPath("ftok");
  { std::ofstream(path) << "key file\n"; }
  absl::StatusOr<IpcKey> a = IpcKey::FromPath(path, 'S');
  absl::StatusOr<IpcKey> b = IpcKey::FromPath(path, 'S');
  absl::StatusOr<IpcKey> other_project = IpcKey::FromPath(path, 'T');
  ::unlink(path.c_str());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(other_project.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *other_project);
  EXPECT_FALSE(a->is_private());
}

TEST(SysvSemaphoreKeyTest, FromPathOfAMissingFileIsNotFound) {
  absl::StatusOr<IpcKey> key =
      IpcKey::FromPath(UniqueTempPath("no_such_file"), 'S');
  EXPECT_EQ(key.status().code(), absl::StatusCode::kNotFound);
}

TEST(SysvSemaphoreKeyTest, ProjectIdMustFitInEightNonZeroBits) {
  for (int project : {0, 256, -1}) {
    EXPECT_EQ(IpcKey::FromPath("/", project).status().code(),
              absl::StatusCode::kInvalidArgument)
        << project;
  }
  EXPECT_TRUE(IpcKey::FromPath("/", 255).ok());
}

TEST(SysvSemaphoreKeyTest, FromNameIsDeterministicAndNeverPrivate) {
  const PosixName a = PosixName::Create("/sensor-a").value();
  const PosixName b = PosixName::Create("/sensor-b").value();
  EXPECT_EQ(IpcKey::FromName(a), IpcKey::FromName(a));
  EXPECT_NE(IpcKey::FromName(a), IpcKey::FromName(b));
  EXPECT_FALSE(IpcKey::FromName(a).is_private());
  EXPECT_EQ(IpcKey::FromValue(0x1234)->ToString(), "key 0x00001234");
  EXPECT_EQ(IpcKey::Private().ToString(), "IPC_PRIVATE");
}

// --- Bad input
// ----------------------------------------------------------------

TEST(SysvSemaphoreSetTest, NoSemaphoresIsInvalidAndCreatesNothing) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(key, {});
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(set.status().message(), HasSubstr("nsems 0"));
  EXPECT_FALSE(KeyExists(key));
}

TEST(SysvSemaphoreSetTest, ValueAboveSemvmxIsInvalidAndCreatesNothing) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  const unsigned values[] = {1, kMaxSysvSemaphoreValue + 1};
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(key, values);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(KeyExists(key));
}

TEST(SysvSemaphoreSetTest, OpeningAMissingKeyIsNotFound) {
  const IpcKey key = UniqueKey();
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
      key, {},
      WithOpenMode(OpenMode::kOpenExisting, sysv::SemaphoreSetOptions()));
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(set.status().message(), HasSubstr(key.ToString()));
}

TEST(SysvSemaphoreSetTest, PrivateKeyCannotOpenAnExistingSet) {
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
      IpcKey::Private(), {},
      WithOpenMode(OpenMode::kOpenExisting, sysv::SemaphoreSetOptions()));
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SysvSemaphoreSetTest, CreatingAnExistingKeyExclusivelyFails) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  SemaphoreSet first = MakeSet({1}, key);
  absl::StatusOr<SemaphoreSet> second = SemaphoreSet::Open(key, {1u});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(SysvSemaphoreSetTest, OpeningASmallerSetThanNeededFails) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  SemaphoreSet set = MakeSet({1, 1}, key);
  absl::StatusOr<SemaphoreSet> opened = SemaphoreSet::Open(
      key, {0u, 0u, 0u},
      WithOpenMode(OpenMode::kOpenExisting, sysv::SemaphoreSetOptions()));
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  opened = SemaphoreSet::Open(
      key, {},
      WithOpenMode(OpenMode::kOpenExisting, sysv::SemaphoreSetOptions()));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->size(), 2);
}

TEST(SysvSemaphoreSetTest, MalformedOperationsAreRejected) {
  SemaphoreSet set = MakeSet({1, 1});
  EXPECT_EQ(set.Apply(absl::Span<const SemOp>()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.Apply({SemOp::Wait(2)}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.TryApply({SemOp::Wait(-1)}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.Apply({SemOp::Post(0, 0)}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.Apply({SemOp::Post(0, 32768)}).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<SemOp> too_many(SemaphoreSet::kMaxOpsPerCall + 1,
                              SemOp::WaitForZero(0));
  EXPECT_EQ(set.TryApply(too_many).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.Value(2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.SetValue(0, kMaxSysvSemaphoreValue + 1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.Value(0).value_or(-1), 1);  // Nothing was applied.
}

// --- Creation, ownership, removal -------------------------------------------

TEST(SysvSemaphoreSetTest, CreatedSetHasItsValuesModeAndAnOperationTime) {
  SemaphoreSetOptions options;
  options.permissions = Permissions::FromMode(0640).value();
  absl::StatusOr<SemaphoreSet> set =
      SemaphoreSet::Open(IpcKey::Private(), {3u, 0u, 7u},
                         WithOpenMode(OpenMode::kCreateExclusive, options));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->created());
  EXPECT_EQ(set->Value(0).value_or(-1), 3);
  EXPECT_EQ(set->Value(1).value_or(-1), 0);
  EXPECT_EQ(set->Value(2).value_or(-1), 7);
  absl::StatusOr<sysv::SemaphoreSetStatus> stat = set->Stat();
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->semaphores, 3);
  EXPECT_EQ(stat->mode, 0640u);
  EXPECT_NE(stat->last_operation, absl::UnixEpoch());  // Marked ready.
  EXPECT_EQ(stat->owner_uid, ::geteuid());
}

TEST(SysvSemaphoreSetTest, DefaultModeIs0600) {
  SemaphoreSet set = MakeSet({0});
  EXPECT_EQ(set.Stat().value().mode, 0600u);
}

TEST(SysvSemaphoreSetTest, TheCreatorRemovesTheSetAndOpenersDoNot) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  {
    SemaphoreSet owner = MakeSet({1}, key);
    {
      absl::StatusOr<SemaphoreSet> user = SemaphoreSet::Open(
          key, {1u},
          WithOpenMode(OpenMode::kOpenExisting, sysv::SemaphoreSetOptions()));
      ASSERT_TRUE(user.ok()) << user.status();
      EXPECT_FALSE(user->created());
      EXPECT_EQ(user->id(), owner.id());
    }
    EXPECT_TRUE(KeyExists(key));
  }
  EXPECT_FALSE(KeyExists(key));
}

TEST(SysvSemaphoreSetTest, OpenOrCreateKnowsWhetherItCreated) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  absl::StatusOr<SemaphoreSet> first = SemaphoreSet::Open(
      key, {4u},
      WithOpenMode(OpenMode::kOpenOrCreate, sysv::SemaphoreSetOptions()));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created());
  absl::StatusOr<SemaphoreSet> second = SemaphoreSet::Open(
      key, {9u},
      WithOpenMode(OpenMode::kOpenOrCreate, sysv::SemaphoreSetOptions()));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created());
  EXPECT_EQ(second->Value(0).value_or(-1), 4);
}

TEST(SysvSemaphoreSetTest, ACopyInheritedThroughForkDoesNotRemoveTheSet) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  SemaphoreSet owner = MakeSet({1}, key);
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    SemaphoreSet copy = std::move(owner);
    EXPECT_TRUE(copy.created());
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_TRUE(KeyExists(key));
}

TEST(SysvSemaphoreSetTest, EveryCallOnARemovedSetSaysItWasRemoved) {
  SemaphoreSet owner = MakeSet({1});
  absl::StatusOr<SemaphoreSet> other = SemaphoreSet::FromId(owner.id());
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(owner.Remove().ok());

  const absl::Status post = other->Apply({SemOp::Post(0)});
  EXPECT_EQ(post.code(), absl::StatusCode::kNotFound) << post;
  EXPECT_THAT(post.message(), HasSubstr("removed"));
  EXPECT_EQ(other->TryApply({SemOp::Wait(0)}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(other->ApplyUntil({SemOp::Wait(0)}, Deadline::Expired()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(other->Value(0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(other->Remove().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(SemaphoreSet::FromId(owner.id()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(SysvSemaphoreTest, RemovedSemaphoreGivesNotFoundOnEveryCall) {
  absl::StatusOr<sysv::Semaphore> semaphore =
      sysv::Semaphore::Create(IpcKey::Private());
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  ASSERT_TRUE(semaphore->Remove().ok());
  EXPECT_EQ(semaphore->Post().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(semaphore->Wait().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(semaphore->TryWait().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(semaphore->WaitFor(absl::Seconds(1)).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(semaphore->Value().status().code(), absl::StatusCode::kNotFound);
}

TEST(SysvSemaphoreTest, AWaiterIsWokenWhenTheSetIsRemoved) {
  absl::StatusOr<sysv::Semaphore> semaphore =
      sysv::Semaphore::Create(IpcKey::Private());
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    const absl::Status status = semaphore->WaitFor(kLongWait);
    return absl::IsNotFound(status) ? 0 : 1;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(PollUntil(
      [&] { return semaphore->set().WaitingCount(0).value_or(0) == 1; }));
  ASSERT_TRUE(semaphore->Remove().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// util-linux's ipcrm, a real peer, removes an ipcbox set by id.
TEST(SysvSemaphoreTest, SetRemovedByIpcrmGivesNotFound) {
  if (::access("/usr/bin/ipcrm", X_OK) != 0) {
    GTEST_SKIP() << "util-linux ipcrm is not installed at /usr/bin/ipcrm";
  }
  absl::StatusOr<sysv::Semaphore> semaphore =
      sysv::Semaphore::Create(IpcKey::Private());
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  const std::string id = absl::StrCat(semaphore->set().id());
  char* argv[] = {const_cast<char*>("ipcrm"), const_cast<char*>("-s"),
                  const_cast<char*>(id.c_str()), nullptr};
  pid_t pid;
  ASSERT_EQ(
      ::posix_spawn(&pid, "/usr/bin/ipcrm", nullptr, nullptr, argv, environ),
      0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(semaphore->Post().code(), absl::StatusCode::kNotFound);
}

// --- The initialisation race ------------------------------------------------

TEST(SysvSemaphoreSetTest, OpenerFailsClearlyOnASetItsCreatorNeverReadied) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  // A creator that died between semget() and initialising the set.
  ASSERT_GE(::semget(key.value(), 1, IPC_CREAT | IPC_EXCL | 0600), 0);
  SemaphoreSetOptions options;
  options.initialization_timeout = absl::Milliseconds(200);
  Stopwatch watch;
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
      key, {1u}, WithOpenMode(OpenMode::kOpenExisting, options));
  EXPECT_GE(watch.Elapsed(), options.initialization_timeout);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(set.status().message(), HasSubstr("not initialised"));
  EXPECT_FALSE(IsTimedOut(set.status()));  // A real error, with a message.
}

TEST(SysvSemaphoreSetTest, OpenerWaitsForTheCreatorToInitialise) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  const int id = ::semget(key.value(), 1, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0);
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    SemaphoreSetOptions options;
    options.initialization_timeout = kLongWait;
    absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
        key, {1u}, WithOpenMode(OpenMode::kOpenExisting, options));
    if (!set.ok()) return 1;
    return set->Value(0).value_or(-1) == 5 ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::SleepFor(absl::Milliseconds(50));  // Let the child start waiting.
  // What a creator does: set the value, then a semop marks the set ready.
  union {
    int val;
    struct semid_ds* buf;
    unsigned short* array;
  } arg;
  arg.val = 5;
  ASSERT_EQ(::semctl(id, 0, SETVAL, arg), 0);
  struct sembuf touch[2] = {{0, 1, 0}, {0, -1, 0}};
  ASSERT_EQ(::semop(id, touch, 2), 0);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(SysvSemaphoreSetTest, PurgeAndCreateReplacesAStaleSet) {
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  const int stale = ::semget(key.value(), 1, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(stale, 0);
  absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
      key, {2u},
      WithOpenMode(OpenMode::kPurgeAndCreate, sysv::SemaphoreSetOptions()));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->created());
  EXPECT_EQ(set->Value(0).value_or(-1), 2);
  EXPECT_EQ(SemaphoreSet::FromId(stale).status().code(),
            absl::StatusCode::kNotFound);
}

// Many processes open-or-create one key at once: exactly one creates, and
// none sees the set before its initial values are in.
TEST(SysvSemaphoreSetTest, RacingOpenOrCreateHasOneCreatorAndNoEarlyOpener) {
  constexpr int kProcesses = 8;
  const IpcKey key = UniqueKey();
  ScopedSysvRemove guard(key);
  absl::StatusOr<posix::AnonymousSemaphore> start =
      posix::AnonymousSemaphore::Create(0);
  ASSERT_TRUE(start.ok()) << start.status();
  struct Tally {
    std::atomic<int> created{0};
    std::atomic<int> wrong_value{0};
  };
  SharedBlock<Tally> tally;
  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p) {
    absl::StatusOr<ChildProcess> child = ForkChild([&] {
      if (!start->WaitFor(kLongWait).ok()) return 1;
      SemaphoreSetOptions options;
      options.initialization_timeout = kLongWait;
      absl::StatusOr<SemaphoreSet> set = SemaphoreSet::Open(
          key, {11u, 22u}, WithOpenMode(OpenMode::kOpenOrCreate, options));
      if (!set.ok()) return 2;
      set->Disown();  // The parent's guard removes it.
      if (set->created()) tally->created.fetch_add(1);
      if (set->Value(0).value_or(-1) != 11 ||
          set->Value(1).value_or(-1) != 22) {
        tally->wrong_value.fetch_add(1);
      }
      return 0;
    });
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  for (int p = 0; p < kProcesses; ++p) ASSERT_TRUE(start->Post().ok());
  for (ChildProcess& child : children) {
    EXPECT_TRUE(ExitedWith(child.Wait(kChildTimeout), 0));
  }
  EXPECT_EQ(tally->created.load(), 1);
  EXPECT_EQ(tally->wrong_value.load(), 0);
}

// --- Several operations, one atomic step ------------------------------------

TEST(SysvSemaphoreSetTest, OperationsApplyAllOrNothing) {
  SemaphoreSet set = MakeSet({1, 0});
  const SemOp take_both[] = {SemOp::Wait(0), SemOp::Wait(1)};
  // Semaphore 1 is zero, so neither is taken, not even semaphore 0.
  EXPECT_TRUE(IsWouldBlock(set.TryApply(take_both)));
  EXPECT_EQ(set.Value(0).value_or(-1), 1);

  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    return set.ApplyUntil(take_both, Deadline::After(kLongWait)).ok() ? 0 : 1;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(PollUntil([&] { return set.WaitingCount(1).value_or(0) == 1; }));
  // The waiting child holds nothing: semaphore 0 is still free.
  EXPECT_EQ(set.Value(0).value_or(-1), 1);
  ASSERT_TRUE(set.Apply({SemOp::Post(1).WithoutUndo()}).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  // The child exited, and SEM_UNDO gave both back.
  EXPECT_EQ(set.Value(0).value_or(-1), 1);
  EXPECT_EQ(set.Value(1).value_or(-1), 1);
}

TEST(SysvSemaphoreSetTest, WaitForZeroAndCountsGreaterThanOne) {
  SemaphoreSet set = MakeSet({5, 0});
  EXPECT_TRUE(IsWouldBlock(set.TryApply({SemOp::WaitForZero(0)})));
  EXPECT_TRUE(set.TryApply({SemOp::WaitForZero(1)}).ok());
  EXPECT_TRUE(IsWouldBlock(set.TryApply({SemOp::Wait(0, 6)})));
  EXPECT_TRUE(set.TryApply({SemOp::Wait(0, 5)}).ok());
  EXPECT_TRUE(set.TryApply({SemOp::WaitForZero(0)}).ok());
  EXPECT_TRUE(set.Apply({SemOp::Post(1, 3)}).ok());
  EXPECT_EQ(set.Value(1).value_or(-1), 3);
}

TEST(SysvSemaphoreSetTest, TimedApplyTimesOutAfterAtLeastTheTimeout) {
  SemaphoreSet set = MakeSet({0});
  constexpr absl::Duration kTimeout = absl::Milliseconds(150);
  Stopwatch watch;
  const absl::Status status =
      set.ApplyUntil({SemOp::Wait(0)}, Deadline::After(kTimeout));
  EXPECT_TRUE(IsTimedOut(status)) << status;
  EXPECT_GE(watch.Elapsed(), kTimeout);
}

TEST(SysvSemaphoreSetTest, LastPidAndSetValue) {
  SemaphoreSet set = MakeSet({0});
  absl::StatusOr<ChildProcess> child = ForkChild(
      [&] { return set.Apply({SemOp::Post(0).WithoutUndo()}).ok() ? 0 : 1; });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(set.LastPid(0).value_or(-1), child->pid());
  ASSERT_TRUE(set.SetValue(0, 9).ok());
  EXPECT_EQ(set.Value(0).value_or(-1), 9);
}

// --- SEM_UNDO ---------------------------------------------------------------

TEST(SysvSemaphoreTest, PostsOfAnExitedProcessAreUndoneByDefault) {
  absl::StatusOr<sysv::Semaphore> semaphore =
      sysv::Semaphore::Create(IpcKey::Private());
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  EXPECT_TRUE(semaphore->undo_on_exit());
  absl::StatusOr<ChildProcess> child =
      ForkChild([&] { return semaphore->Post().ok() ? 0 : 1; });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(semaphore->Value().value_or(-1), 0);  // The post went with it.
}

TEST(SysvSemaphoreTest, WithoutUndoAPostOutlivesItsPoster) {
  SemaphoreOptions options;
  options.undo_on_exit = false;
  absl::StatusOr<sysv::Semaphore> semaphore =
      sysv::Semaphore::Create(IpcKey::Private(), options);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  absl::StatusOr<ChildProcess> child =
      ForkChild([&] { return semaphore->Post().ok() ? 0 : 1; });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(semaphore->Value().value_or(-1), 1);
}

TEST(SysvSemaphoreTest, OpenByNameFindsTheSameSet) {
  const std::string name = UniqueName("sysv_named");
  const IpcKey key = IpcKey::FromName(PosixName::Create(name).value());
  ScopedSysvRemove guard(key);
  SemaphoreOptions options;
  options.initial_value = 3;
  absl::StatusOr<sysv::Semaphore> owner =
      sysv::Semaphore::Create(name, options);
  ASSERT_TRUE(owner.ok()) << owner.status();
  absl::StatusOr<sysv::Semaphore> user = sysv::Semaphore::OpenExisting(name);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->set().id(), owner->set().id());
  EXPECT_EQ(user->set().key(), key);
  EXPECT_EQ(user->Value().value_or(-1), 3);
  EXPECT_EQ(sysv::Semaphore::OpenExisting("no-slash").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ipcbox::testing
