// A FIFO found at the path (open-or-create, or open-existing) is refused if
// another user made it, or if it is wider than asked: a stranger's FIFO
// lets them feed the reader or read what the writer sends.
//
// Handing a FIFO to another uid needs root and a uid map that has that uid:
// this target is tagged no-sandbox because Bazel's sandbox maps only the
// caller's uid. Elsewhere that test skips and says why.

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
#include "ipcbox/fifo/fifo.h"
#include "tests/fifo/fifo_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ScopedPath;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uid_t kOtherUser = 4242;

TEST(FifoOwnershipTest, RefusesAFifoAnotherUserMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant another owner";
  ScopedPath path("fifo_planted");
  ASSERT_EQ(::mkfifo(path.path().c_str(), 0666), 0) << std::strerror(errno);
  ASSERT_EQ(::chmod(path.path().c_str(), 0666), 0);
  if (::lchown(path.path().c_str(), kOtherUser, static_cast<gid_t>(-1)) != 0) {
    GTEST_SKIP() << "lchown: " << std::strerror(errno)
                 << " (no other uid is mapped in this user namespace)";
  }
  FifoOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<Fifo> fifo = Fifo::Open(path.path(), options);
  ASSERT_TRUE(absl::IsPermissionDenied(fifo.status())) << fifo.status();
  EXPECT_THAT(
      fifo.status().message(),
      AllOf(HasSubstr("FIFO \""), HasSubstr("uid 4242"), HasSubstr("0666")))
      << fifo.status();
  EXPECT_TRUE(
      absl::IsPermissionDenied(Fifo::OpenExisting(path.path()).status()));
  OwnershipPolicy theirs;
  theirs.allowed_owner = kOtherUser;
  FifoOptions existing;
  existing.open_mode = OpenMode::kOpenExisting;
  existing.ownership = theirs;
  EXPECT_TRUE(Fifo::Open(path.path(), existing).ok());
}

TEST(FifoOwnershipTest, RefusesAWiderModeThanAsked) {
  ScopedPath path("fifo_wide");
  ASSERT_EQ(::mkfifo(path.path().c_str(), 0600), 0) << std::strerror(errno);
  ASSERT_EQ(::chmod(path.path().c_str(), 0666), 0);
  FifoOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  absl::StatusOr<Fifo> fifo = Fifo::Open(path.path(), options);
  ASSERT_TRUE(absl::IsPermissionDenied(fifo.status())) << fifo.status();
  EXPECT_THAT(fifo.status().message(), HasSubstr("mode 0666"));
  options.permissions = *Permissions::FromMode(0666);
  EXPECT_TRUE(Fifo::Open(path.path(), options).ok());
}

}  // namespace
}  // namespace ipcbox
