// Opening an existing named semaphore refuses one another user made, or one
// wider than asked: a stranger who plants the name first could otherwise
// take the lock, or hand it out, whenever it likes.
//
// Planting a semaphore under another uid needs root and a uid map that has
// that uid: this target is tagged no-sandbox because Bazel's sandbox maps
// only the caller's uid. Elsewhere those tests skip and say why.

#include <fcntl.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "tests/semaphore/semaphore_test_util.h"

namespace ipcbox::posix {
namespace {

using ::ipcbox::testing::ScopedSemUnlink;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uid_t kOtherUser = 4242;

// Creates `name` at `mode` and gives it to `owner`, as a stranger who got
// there first would have. The test (not the library) may know where glibc
// keeps the file.
std::string PlantSemaphore(const std::string& name, mode_t mode, uid_t owner) {
  sem_t* sem = ::sem_open(name.c_str(), O_CREAT | O_EXCL, mode, 1);
  if (sem == SEM_FAILED)
    return std::string("sem_open: ") + std::strerror(errno);
  ::sem_close(sem);
  const std::string file = "/dev/shm/sem." + name.substr(1);
  if (::chmod(file.c_str(), mode) != 0) return "chmod failed";
  if (owner != ::geteuid() &&
      ::chown(file.c_str(), owner, static_cast<gid_t>(-1)) != 0) {
    return std::string("chown: ") + std::strerror(errno) +
           " (no other uid is mapped in this user namespace)";
  }
  return "";
}

TEST(NamedSemaphoreOwnershipTest, RefusesASemaphoreAnotherUserMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant another owner";
  const std::string name = UniqueName("sem_planted");
  ScopedSemUnlink unlink(name);
  if (std::string why = PlantSemaphore(name, 0666, kOtherUser); !why.empty()) {
    GTEST_SKIP() << why;
  }
  SemaphoreOptions options;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<NamedSemaphore> sem = NamedSemaphore::Open(
      name, WithOpenMode(OpenMode::kOpenOrCreate, options));
  ASSERT_TRUE(absl::IsPermissionDenied(sem.status())) << sem.status();
  EXPECT_THAT(sem.status().message(),
              AllOf(HasSubstr(name), HasSubstr("uid 4242"), HasSubstr("0666")));
  absl::StatusOr<NamedSemaphore> existing =
      NamedSemaphore::OpenExisting(name, options);
  EXPECT_TRUE(absl::IsPermissionDenied(existing.status())) << existing.status();

  options.ownership.allowed_owner = kOtherUser;
  EXPECT_TRUE(
      NamedSemaphore::Open(name, WithOpenMode(OpenMode::kOpenOrCreate, options))
          .ok());
  options.ownership = OwnershipPolicy{};
  options.ownership.check = false;
  EXPECT_TRUE(
      NamedSemaphore::Open(name, WithOpenMode(OpenMode::kOpenOrCreate, options))
          .ok());
}

TEST(NamedSemaphoreOwnershipTest, RefusesAWiderModeThanAsked) {
  const std::string name = UniqueName("sem_wide");
  ScopedSemUnlink unlink(name);
  ASSERT_EQ(PlantSemaphore(name, 0666, ::geteuid()), "");
  SemaphoreOptions options;  // permissions: 0600
  absl::StatusOr<NamedSemaphore> sem = NamedSemaphore::Open(
      name, WithOpenMode(OpenMode::kOpenOrCreate, options));
  ASSERT_TRUE(absl::IsPermissionDenied(sem.status())) << sem.status();
  EXPECT_THAT(sem.status().message(), HasSubstr("mode 0666"));
  options.permissions = *Permissions::FromMode(0666);
  EXPECT_TRUE(
      NamedSemaphore::Open(name, WithOpenMode(OpenMode::kOpenOrCreate, options))
          .ok());
}

}  // namespace
}  // namespace ipcbox::posix
