// Checks that "auto" resolves to the documented per-platform defaults, and
// that a flag, when given, wins (.ci/run builds this test with flags too).
#include "platforms/selected_backends.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

// The defaults platforms/BUILD.bazel documents for each board.
constexpr LockBackend PlatformDefaultLockBackend() {
#if defined(__arm__)
  return LockBackend::kFcntl;  // armv7: kernels without OFD locks
#else
  return LockBackend::kOfd;
#endif
}

TEST(SelectedBackendsTest, AutoTakesThePlatformDefaultLockBackend) {
  if (!kLockBackendFromPlatform) GTEST_SKIP() << "lock_backend set by flag";
  EXPECT_EQ(kLockBackend, PlatformDefaultLockBackend());
}

TEST(SelectedBackendsTest, AutoTakesThePlatformDefaultIpcFlavor) {
  if (!kIpcFlavorFromPlatform) GTEST_SKIP() << "ipc_flavor set by flag";
  EXPECT_EQ(kIpcFlavor, IpcFlavor::kPosix);
}

// .ci/run passes the flag values it built with in the environment, so that
// an override that did not reach the code fails here.
TEST(SelectedBackendsTest, FlagValuesReachTheCode) {
  const char* lock = std::getenv("EXPECTED_LOCK_BACKEND");
  const char* flavor = std::getenv("EXPECTED_IPC_FLAVOR");
  if (lock == nullptr && flavor == nullptr) GTEST_SKIP() << "no flags given";
  if (lock != nullptr) EXPECT_STREQ(LockBackendName(), lock);
  if (flavor != nullptr) EXPECT_STREQ(IpcFlavorName(), flavor);
}

TEST(SelectedBackendsTest, NamesMatchTheFlagValues) {
  EXPECT_EQ(absl::StrCat(LockBackendName(), "/", IpcFlavorName()).find(' '),
            std::string::npos);
  EXPECT_TRUE(std::strcmp(LockBackendName(), "fcntl") == 0 ||
              std::strcmp(LockBackendName(), "ofd") == 0 ||
              std::strcmp(LockBackendName(), "flock") == 0);
}

}  // namespace
}  // namespace ipcbox
