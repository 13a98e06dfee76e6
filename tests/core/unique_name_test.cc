#include "ipcbox/core/unique_name.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"

namespace ipcbox {
namespace {

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Checks "<prefix>.<pid>.<16 lower-case hex digits>".
void ExpectBase(absl::string_view base, absl::string_view prefix) {
  const std::vector<absl::string_view> parts = absl::StrSplit(base, '.');
  ASSERT_EQ(parts.size(), 3u) << base;
  EXPECT_EQ(parts[0], prefix);
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(parts[1], &pid)) << base;
  EXPECT_EQ(pid, ::getpid());
  ASSERT_EQ(parts[2].size(), 16u) << base;
  for (char c : parts[2]) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << base;
  }
}

TEST(UniqueNameTest, HasPrefixPidAndRandomPart) {
  const std::string name = UniqueName("shm_test");
  ASSERT_TRUE(absl::StartsWith(name, "/")) << name;
  ExpectBase(absl::string_view(name).substr(1), "shm_test");
}

TEST(UniqueNameTest, TwoCallsDifferAndBothAreValidNames) {
  const std::string a = UniqueName("unique");
  const std::string b = UniqueName("unique");
  EXPECT_NE(a, b);
  EXPECT_TRUE(PosixName::Create(a).ok()) << a;
  EXPECT_TRUE(PosixName::Create(b).ok()) << b;
}

TEST(UniqueNameTest, SlashesAndNulInPrefixAreReplaced) {
  const std::string name = UniqueName(absl::string_view("a/b\0c", 5));
  EXPECT_TRUE(absl::StartsWith(name, "/a_b_c.")) << name;
  EXPECT_TRUE(PosixName::Create(name).ok()) << name;
}

TEST(UniqueNameTest, EmptyPrefixGetsADefault) {
  const std::string name = UniqueName("");
  EXPECT_TRUE(absl::StartsWith(name, "/ipcbox.")) << name;
  EXPECT_TRUE(PosixName::Create(name).ok()) << name;
}

TEST(UniqueNameTest, LongPrefixIsCutToFitASemaphoreName) {
  const std::string name = UniqueName(std::string(1000, 'p'));
  EXPECT_TRUE(PosixName::Create(name, kMaxSemaphoreNameLength).ok()) << name;
}

TEST(UniqueTempPathTest, UsesTestTmpdirWhenSet) {
  ScopedEnv env("TEST_TMPDIR", "/some/dir/");
  const std::string path = UniqueTempPath("fifo");
  ASSERT_TRUE(absl::StartsWith(path, "/some/dir/fifo.")) << path;
  ExpectBase(absl::string_view(path).substr(10), "fifo");
}

TEST(UniqueTempPathTest, UsesTmpWhenTestTmpdirIsUnsetOrEmpty) {
  {
    ScopedEnv env("TEST_TMPDIR", nullptr);
    const std::string path = UniqueTempPath("lock");
    ASSERT_TRUE(absl::StartsWith(path, "/tmp/lock.")) << path;
    ExpectBase(absl::string_view(path).substr(5), "lock");
  }
  {
    ScopedEnv env("TEST_TMPDIR", "");
    EXPECT_TRUE(absl::StartsWith(UniqueTempPath("lock"), "/tmp/lock."));
  }
}

TEST(UniqueTempPathTest, PrefixCannotEscapeTheDirectory) {
  ScopedEnv env("TEST_TMPDIR", "/d");
  const std::string path = UniqueTempPath("../etc/x");
  EXPECT_TRUE(absl::StartsWith(path, "/d/.._etc_x.")) << path;
}

TEST(UniqueTempPathTest, TwoCallsDifferAndCanBeCreated) {
  const std::string a = UniqueTempPath("core_test");
  const std::string b = UniqueTempPath("core_test");
  EXPECT_NE(a, b);
  const int fd = ::open(a.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << a;
  ::close(fd);
  EXPECT_EQ(::unlink(a.c_str()), 0);
}

}  // namespace
}  // namespace ipcbox
