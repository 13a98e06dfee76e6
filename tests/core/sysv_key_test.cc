// sysv::IpcKey: ftok keys from existing files only, ids 1..255, explicit keys
// that are neither IPC_PRIVATE nor ftok's failure value, names hashed with
// 32-bit FNV-1a (the one key every System V mechanism uses).

#include "ipcbox/core/sysv_key.h"

#include <fcntl.h>
#include <sys/ipc.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"

namespace ipcbox::sysv {
namespace {

// A file that exists for the test's lifetime.
class TempFile {
 public:
  TempFile() : path_(UniqueTempPath("sysv_key_test")) {
    const int fd = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    EXPECT_GE(fd, 0);
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(IpcKeyTest, FromPathMatchesFtok) {
  TempFile file;
  absl::StatusOr<IpcKey> key = IpcKey::FromPath(file.path(), 123);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->value(), ::ftok(file.path().c_str(), 123));
  EXPECT_FALSE(key->is_private());
}

TEST(IpcKeyTest, ProjectIdsGiveDifferentKeys) {
  TempFile file;
  absl::StatusOr<IpcKey> a = IpcKey::FromPath(file.path(), 1);
  absl::StatusOr<IpcKey> b = IpcKey::FromPath(file.path(), 255);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(IpcKeyTest, MissingPathIsNotFoundNamingIt) {
  const std::string path = UniqueTempPath("no_such_file");
  absl::StatusOr<IpcKey> key = IpcKey::FromPath(path, 123);
  EXPECT_TRUE(absl::IsNotFound(key.status())) << key.status();
  // Long paths are cut in messages; the start is always there.
  EXPECT_NE(key.status().message().find(path.substr(0, 60)),
            absl::string_view::npos)
      << key.status();
  EXPECT_NE(key.status().message().find("does not exist"),
            absl::string_view::npos);
}

TEST(IpcKeyTest, ProjectIdOutsideOneTo255IsRejected) {
  TempFile file;
  for (int id : {0, 256, 257, -1, 1000}) {
    absl::StatusOr<IpcKey> key = IpcKey::FromPath(file.path(), id);
    EXPECT_TRUE(absl::IsInvalidArgument(key.status())) << id << key.status();
    EXPECT_NE(key.status().message().find("1..255"), absl::string_view::npos);
  }
}

TEST(IpcKeyTest, ExplicitKeys) {
  absl::StatusOr<IpcKey> key = IpcKey::FromValue(0x1234);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->value(), 0x1234);
  EXPECT_EQ(key->ToString(), "key 0x00001234");
  EXPECT_TRUE(absl::IsInvalidArgument(IpcKey::FromValue(IPC_PRIVATE).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(IpcKey::FromValue(-1).status()));
}

TEST(IpcKeyTest, Private) {
  EXPECT_TRUE(IpcKey::Private().is_private());
  EXPECT_EQ(IpcKey::Private().value(), IPC_PRIVATE);
  EXPECT_EQ(IpcKey::Private().ToString(), "IPC_PRIVATE");
}

TEST(IpcKeyTest, FromNameIsFnv1aOfTheName) {
  const PosixName name = PosixName::Create("/sensor-a").value();
  // 32-bit FNV-1a of the 9 bytes "/sensor-a", computed independently.
  EXPECT_EQ(static_cast<uint32_t>(IpcKey::FromName(name).value()), 0xc137759au);
  EXPECT_EQ(IpcKey::FromName(name).ToString(), "key 0xc137759a");
  EXPECT_FALSE(IpcKey::FromName(name).is_private());
}

TEST(IpcKeyTest, FromKernelTakesTheReportedKeyAsIs) {
  EXPECT_EQ(IpcKey::FromKernel(IPC_PRIVATE), IpcKey::Private());
  EXPECT_EQ(IpcKey::FromKernel(0x5eed).value(), 0x5eed);
}

}  // namespace
}  // namespace ipcbox::sysv
