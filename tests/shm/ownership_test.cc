// Open-or-create and open-existing of a POSIX shared memory object refuse
// an object another user made, or one wider than asked: someone who plants
// the name first must not read or inject what the daemon writes.
//
// Planting an object under another uid needs root and a uid map that has
// that uid: this target is tagged no-sandbox because Bazel's sandbox maps
// only the caller's uid. Elsewhere those tests skip and say why.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "tests/shm/posix_test_util.h"

namespace ipcbox::posix {
namespace {

using ::ipcbox::testing::ScopedShmName;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uid_t kOtherUser = 4242;

// What another local user does before the daemon starts: creates the name
// first, wide open, and keeps it.
void PlantObject(const PosixName& name, mode_t mode, uid_t owner) {
  const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, mode);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  ASSERT_EQ(::fchmod(fd, mode), 0);
  if (owner != ::geteuid()) {
    if (::fchown(fd, owner, static_cast<gid_t>(-1)) != 0) {
      const int err = errno;
      ::close(fd);
      GTEST_SKIP() << "fchown to uid " << owner << ": " << std::strerror(err)
                   << " (no other uid is mapped in this user namespace)";
    }
  }
  ::close(fd);
}

TEST(PosixOwnershipTest, OpenOrCreateRefusesAnObjectAnotherUserMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant another owner";
  ScopedShmName name("shm_planted");
  PlantObject(*name, 0666, kOtherUser);
  if (::testing::Test::IsSkipped() || HasFatalFailure()) return;
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<SharedMemory> shm = SharedMemory::Open(*name, 512, options);
  ASSERT_TRUE(absl::IsPermissionDenied(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(),
              AllOf(HasSubstr(name->c_str()), HasSubstr("uid 4242"),
                    HasSubstr("0666")));
  // Nor may a plain opener trust it.
  absl::StatusOr<SharedMemory> opened =
      SharedMemory::OpenExisting(*name, 512, MemoryAccess::kReadOnly);
  EXPECT_TRUE(absl::IsPermissionDenied(opened.status())) << opened.status();

  options.ownership.allowed_owner = kOtherUser;
  EXPECT_TRUE(SharedMemory::Open(*name, 512, options).ok());
  options.ownership = OwnershipPolicy{};
  options.ownership.check = false;
  EXPECT_TRUE(SharedMemory::Open(*name, 512, options).ok());
}

TEST(PosixOwnershipTest, OpenOrCreateRefusesAWiderModeThanAsked) {
  ScopedShmName name("shm_wide");
  PlantObject(*name, 0666, ::geteuid());
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;  // permissions: 0600
  absl::StatusOr<SharedMemory> shm = SharedMemory::Open(*name, 512, options);
  ASSERT_TRUE(absl::IsPermissionDenied(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(), HasSubstr("mode 0666"));
  options.permissions = *Permissions::FromMode(0666);
  EXPECT_TRUE(SharedMemory::Open(*name, 512, options).ok());
}

}  // namespace
}  // namespace ipcbox::posix
