#include "ipcbox/core/permissions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "ipcbox/core/unique_name.h"
#include "tests/support/scoped_umask.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ScopedUmask;

// Creates a fresh file (as a mechanism creates its object: O_EXCL, with
// the requested mode) and removes it at the end of the scope, also when an
// assertion fails.
class ScopedNewFile {
 public:
  explicit ScopedNewFile(mode_t mode)
      : path_(UniqueTempPath("permissions_test")),
        fd_(::open(path_.c_str(),
                   O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) {
    EXPECT_GE(fd_, 0) << path_ << ": " << errno;
  }
  ~ScopedNewFile() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  mode_t AccessBits() const {
    struct stat st;
    EXPECT_EQ(::fstat(fd_, &st), 0);
    return st.st_mode & 07777;
  }

 private:
  std::string path_;
  int fd_;
};

TEST(PermissionsTest, DefaultIsOwnerOnly) {
  EXPECT_EQ(Permissions().mode(), 0600u);
  EXPECT_EQ(Permissions::OwnerOnly().mode(), 0600u);
  EXPECT_EQ(Permissions(), Permissions::OwnerOnly());
  static_assert(Permissions::OwnerOnly().mode() == 0600);
}

TEST(PermissionsTest, FromModeAcceptsAccessBits) {
  for (mode_t mode : {0000u, 0600u, 0640u, 0644u, 0660u, 0666u, 0777u}) {
    const absl::StatusOr<Permissions> perms = Permissions::FromMode(mode);
    ASSERT_TRUE(perms.ok()) << perms.status();
    EXPECT_EQ(perms->mode(), mode);
  }
}

void ExpectModeRejected(mode_t mode, const char* octal) {
  const absl::StatusOr<Permissions> perms = Permissions::FromMode(mode);
  ASSERT_FALSE(perms.ok()) << octal;
  EXPECT_EQ(perms.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(perms.status().message(), octal))
      << perms.status();
  EXPECT_TRUE(absl::StrContains(perms.status().message(), "outside 0777"))
      << perms.status();
}

TEST(PermissionsTest, FromModeRejectsSetuid) {
  ExpectModeRejected(04755, "04755");
}

TEST(PermissionsTest, FromModeRejectsSetgid) {
  ExpectModeRejected(02770, "02770");
}

TEST(PermissionsTest, FromModeRejectsSticky) {
  ExpectModeRejected(01777, "01777");
}

TEST(PermissionsTest, FromModeRejectsFileTypeBits) {
  ExpectModeRejected(S_IFREG | 0644, "0100644");
}

TEST(PermissionsTest, FromModeRejectsAllBitsSet) {
  ExpectModeRejected(static_cast<mode_t>(-1), "037777777777");
}

// The mode after ApplyPermissions is exactly the one asked for, whether the
// umask would have narrowed it or not.
void ExpectExactModeUnderUmask(mode_t umask_bits, mode_t wanted) {
  SCOPED_TRACE(::testing::Message()
               << "umask " << std::oct << umask_bits << ", mode " << wanted);
  const absl::StatusOr<Permissions> perms = Permissions::FromMode(wanted);
  ASSERT_TRUE(perms.ok()) << perms.status();
  ScopedUmask umask(umask_bits);
  ScopedNewFile file(perms->mode());
  ASSERT_GE(file.fd(), 0);
  ASSERT_TRUE(ApplyPermissions(file.fd(), *perms, file.path()).ok());
  EXPECT_EQ(file.AccessBits(), wanted);
}

TEST(ApplyPermissionsTest, ExactModeWhateverTheUmask) {
  for (mode_t umask_bits : {0077u, 0022u, 0000u}) {
    for (mode_t wanted : {0600u, 0640u, 0660u, 0666u, 0000u}) {
      ExpectExactModeUnderUmask(umask_bits, wanted);
    }
  }
}

TEST(ApplyPermissionsTest, UmaskWouldHaveNarrowedTheMode) {
  // Shows why ApplyPermissions exists: the open() mode alone is not enough.
  ScopedUmask umask(077);
  ScopedNewFile file(0640);
  ASSERT_GE(file.fd(), 0);
  EXPECT_EQ(file.AccessBits(), 0600u);
  const absl::StatusOr<Permissions> perms = Permissions::FromMode(0640);
  ASSERT_TRUE(perms.ok());
  ASSERT_TRUE(ApplyPermissions(file.fd(), *perms, file.path()).ok());
  EXPECT_EQ(file.AccessBits(), 0640u);
}

TEST(ApplyPermissionsTest, DefaultNarrowsAWideFile) {
  ScopedUmask umask(0);
  ScopedNewFile file(0666);
  ASSERT_GE(file.fd(), 0);
  ASSERT_TRUE(
      ApplyPermissions(file.fd(), Permissions::OwnerOnly(), file.path()).ok());
  EXPECT_EQ(file.AccessBits(), 0600u);
}

TEST(ApplyPermissionsTest, BadDescriptorIsAnErrorNamingTheObject) {
  const absl::Status status =
      ApplyPermissions(-1, Permissions::OwnerOnly(), "/my-object");
  EXPECT_EQ(status.code(), absl::ErrnoToStatusCode(EBADF));
  EXPECT_TRUE(absl::StrContains(status.message(), "fchmod(\"/my-object\")"))
      << status;
}

}  // namespace
}  // namespace ipcbox
