// posix::NamedSemaphore: names, open modes, ownership and removal,
// permissions, and the purge-and-create recovery from a dead holder.

#include <semaphore.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "tests/semaphore/backends.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/scoped_umask.h"

namespace ipcbox::testing {
namespace {

using posix::NamedSemaphore;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

std::string BackingFile(absl::string_view name) {
  return absl::StrCat("/dev/shm/sem.", name.substr(1));
}

bool Exists(absl::string_view name) {
  struct stat st;
  return ::stat(BackingFile(name).c_str(), &st) == 0;
}

mode_t ModeOf(absl::string_view name) {
  struct stat st = {};
  EXPECT_EQ(::stat(BackingFile(name).c_str(), &st), 0) << name;
  return st.st_mode & 07777;
}

TEST(PosixNamedSemaphoreTest, RejectsInvalidNamesBeforeAnySystemCall) {
  for (const char* name : {"", "noslash", "/a/b", "/", "/..", "//x"}) {
    absl::StatusOr<NamedSemaphore> semaphore = NamedSemaphore::Create(name);
    EXPECT_EQ(semaphore.status().code(), absl::StatusCode::kInvalidArgument)
        << "name \"" << name << "\": " << semaphore.status();
  }
}

TEST(PosixNamedSemaphoreTest, RejectsNamesTooLongForSemOpen) {
  const std::string longest =
      UniqueName("long") + std::string(kMaxSemaphoreNameLength, 'x');
  const std::string fits = longest.substr(0, 1 + kMaxSemaphoreNameLength);
  const std::string too_long = longest.substr(0, 2 + kMaxSemaphoreNameLength);
  ScopedSemUnlink guard_fits(fits);
  ScopedSemUnlink guard_too_long(too_long);

  absl::StatusOr<NamedSemaphore> rejected = NamedSemaphore::Create(too_long);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Exists(too_long));

  // A PosixName checked only against NAME_MAX is rejected too.
  absl::StatusOr<PosixName> name_max_name = PosixName::Create(too_long);
  ASSERT_TRUE(name_max_name.ok());
  rejected = NamedSemaphore::Create(*name_max_name);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status().message(), HasSubstr("/dev/shm/sem."));

  absl::StatusOr<NamedSemaphore> longest_accepted =
      NamedSemaphore::Create(fits);
  EXPECT_TRUE(longest_accepted.ok()) << longest_accepted.status();
}

TEST(PosixNamedSemaphoreTest, RejectsInitialValueAboveSemValueMax) {
  const std::string name = UniqueName("sem_value");
  ScopedSemUnlink guard(name);
  SemaphoreOptions options;
  options.initial_value = static_cast<unsigned>(SEM_VALUE_MAX) + 1;
  absl::StatusOr<NamedSemaphore> semaphore =
      NamedSemaphore::Create(name, options);
  EXPECT_EQ(semaphore.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(semaphore.status().message(), HasSubstr("SEM_VALUE_MAX"));
  EXPECT_FALSE(Exists(name));
}

TEST(PosixNamedSemaphoreTest, OpeningAMissingSemaphoreIsNotFound) {
  const std::string name = UniqueName("sem_missing");
  ScopedSemUnlink guard(name);
  absl::StatusOr<NamedSemaphore> semaphore = NamedSemaphore::OpenExisting(name);
  EXPECT_EQ(semaphore.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(semaphore.status().message(), HasSubstr(name));
  EXPECT_FALSE(Exists(name));
}

TEST(PosixNamedSemaphoreTest, CreatingAnExistingNameExclusivelyFails) {
  const std::string name = UniqueName("sem_twice");
  ScopedSemUnlink guard(name);
  absl::StatusOr<NamedSemaphore> first = NamedSemaphore::Create(name);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<NamedSemaphore> second = NamedSemaphore::Create(name);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(PosixNamedSemaphoreTest, OpenOrCreateKnowsWhetherItCreated) {
  const std::string name = UniqueName("sem_ooc");
  ScopedSemUnlink guard(name);
  SemaphoreOptions options;
  options.initial_value = 2;
  absl::StatusOr<NamedSemaphore> first = NamedSemaphore::Open(
      name, WithOpenMode(OpenMode::kOpenOrCreate, options));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created());
  options.initial_value = 7;  // Ignored: the semaphore exists.
  absl::StatusOr<NamedSemaphore> second = NamedSemaphore::Open(
      name, WithOpenMode(OpenMode::kOpenOrCreate, options));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created());
  EXPECT_EQ(second->Value().value_or(-1), 2);
  ASSERT_TRUE(second->Post().ok());
  EXPECT_EQ(first->Value().value_or(-1), 3);  // One semaphore.
}

TEST(PosixNamedSemaphoreTest, TheCreatorRemovesTheNameAndOpenersDoNot) {
  const std::string name = UniqueName("sem_owner");
  ScopedSemUnlink guard(name);
  {
    absl::StatusOr<NamedSemaphore> owner = NamedSemaphore::Create(name);
    ASSERT_TRUE(owner.ok()) << owner.status();
    {
      absl::StatusOr<NamedSemaphore> user = NamedSemaphore::OpenExisting(name);
      ASSERT_TRUE(user.ok()) << user.status();
      EXPECT_FALSE(user->created());
    }
    EXPECT_TRUE(Exists(name)) << "the opener removed the name";
  }
  EXPECT_FALSE(Exists(name)) << "the creator left the name behind";
}

TEST(PosixNamedSemaphoreTest, DisownKeepsTheName) {
  const std::string name = UniqueName("sem_disown");
  ScopedSemUnlink guard(name);
  {
    absl::StatusOr<NamedSemaphore> owner = NamedSemaphore::Create(name);
    ASSERT_TRUE(owner.ok()) << owner.status();
    owner->Disown();
  }
  EXPECT_TRUE(Exists(name));
}

TEST(PosixNamedSemaphoreTest, ACopyInheritedThroughForkDoesNotRemoveTheName) {
  const std::string name = UniqueName("sem_fork");
  ScopedSemUnlink guard(name);
  absl::StatusOr<NamedSemaphore> owner = NamedSemaphore::Create(name);
  ASSERT_TRUE(owner.ok()) << owner.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    NamedSemaphore copy = std::move(*owner);
    EXPECT_TRUE(copy.created());
    // `copy` is destroyed here, in the child.
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_TRUE(Exists(name));
}

TEST(PosixNamedSemaphoreTest, RemoveUnlinksTheNameButKeepsTheObjectWorking) {
  const std::string name = UniqueName("sem_remove");
  ScopedSemUnlink guard(name);
  absl::StatusOr<NamedSemaphore> semaphore = NamedSemaphore::Create(name);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  ASSERT_TRUE(semaphore->Remove().ok());
  EXPECT_FALSE(Exists(name));
  EXPECT_TRUE(semaphore->Post().ok());
  EXPECT_TRUE(semaphore->TryWait().ok());
  EXPECT_EQ(semaphore->Remove().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(NamedSemaphore::OpenExisting(name).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PosixNamedSemaphoreTest, DefaultPermissionsAre0600WhateverTheUmask) {
  const std::string name = UniqueName("sem_mode");
  ScopedSemUnlink guard(name);
  ScopedUmask umask(0);  // Would leave a requested 0666 as is.
  absl::StatusOr<NamedSemaphore> semaphore = NamedSemaphore::Create(name);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  EXPECT_EQ(ModeOf(name), 0600u);
}

TEST(PosixNamedSemaphoreTest, RequestedPermissionsSurviveARestrictiveUmask) {
  const std::string name = UniqueName("sem_mode");
  ScopedSemUnlink guard(name);
  ScopedUmask umask(077);  // Would turn 0660 into 0600.
  SemaphoreOptions options;
  options.permissions = Permissions::FromMode(0660).value();
  absl::StatusOr<NamedSemaphore> semaphore =
      NamedSemaphore::Create(name, options);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  EXPECT_EQ(ModeOf(name), 0660u);
}

TEST(PosixNamedSemaphoreTest, NameWithoutSlashInCIsTheSameObject) {
  // glibc strips leading slashes: a C program's sem_open("x") is "/x".
  const std::string name = UniqueName("sem_c");
  ScopedSemUnlink guard(name);
  absl::StatusOr<NamedSemaphore> semaphore = NamedSemaphore::Create(name);
  ASSERT_TRUE(semaphore.ok()) << semaphore.status();
  sem_t* c_side = ::sem_open(name.c_str() + 1, 0);
  ASSERT_NE(c_side, SEM_FAILED);
  ASSERT_EQ(::sem_post(c_side), 0);
  ::sem_close(c_side);
  EXPECT_EQ(semaphore->Value().value_or(-1), 1);
}

// The second documented recovery from a holder killed mid-hold: once every
// user is gone, the owner recreates the semaphore with purge-and-create.
TEST(PosixNamedSemaphoreTest, PurgeAndCreateRecoversALockLeftTakenByTheDead) {
  const std::string name = UniqueName("sem_purge");
  ScopedSemUnlink guard(name);
  SemaphoreOptions lock_options;
  lock_options.initial_value = 1;
  absl::StatusOr<NamedSemaphore> lock =
      NamedSemaphore::Create(name, lock_options);
  ASSERT_TRUE(lock.ok()) << lock.status();
  absl::StatusOr<posix::AnonymousSemaphore> holding =
      posix::AnonymousSemaphore::Create(0);
  ASSERT_TRUE(holding.ok()) << holding.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<NamedSemaphore> mine = NamedSemaphore::OpenExisting(name);
    if (!mine.ok() || !mine->Wait().ok()) return 1;
    if (!holding->Post().ok()) return 2;
    for (;;) ::pause();
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(holding->WaitFor(absl::Seconds(30)).ok());
  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  ASSERT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));
  EXPECT_TRUE(IsWouldBlock(lock->TryWait()));  // Left taken.

  absl::StatusOr<NamedSemaphore> fresh = NamedSemaphore::Open(
      name, WithOpenMode(OpenMode::kPurgeAndCreate, lock_options));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_TRUE(fresh->created());
  absl::StatusOr<NamedSemaphore> user = NamedSemaphore::OpenExisting(name);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_TRUE(user->TryWait().ok());  // The new semaphore is free.
  // The old object still refers to the old, removed semaphore.
  EXPECT_TRUE(IsWouldBlock(lock->TryWait()));
  lock->Disown();  // Its name now belongs to `fresh`.
}

}  // namespace
}  // namespace ipcbox::testing
