// Mapping, the owned mmap() region, and anonymous shared memory between a
// parent and the children it forks.

#include "ipcbox/mapped_file/mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/mapped_file/anonymous_mapping.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

TEST(AnonymousMappingTest, IsZeroedAndWritable) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(10000);
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_TRUE(shared->valid());
  EXPECT_TRUE(shared->writable());
  EXPECT_EQ(shared->size(), 10000u);
  for (char c : shared->bytes()) ASSERT_EQ(c, '\0');
  EXPECT_TRUE(shared->Sync().ok());
}

TEST(AnonymousMappingTest, ZeroBytesIsInvalidArgument) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(0);
  EXPECT_TRUE(absl::IsInvalidArgument(shared.status())) << shared.status();
}

TEST(AnonymousMappingTest, MoreThanTheAddressSpaceIsResourceExhausted) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(~size_t{0} - 4095);
  EXPECT_TRUE(absl::IsResourceExhausted(shared.status())) << shared.status();
  EXPECT_THAT(shared.status().message(), HasSubstr("anonymous shared memory"));
}

TEST(AnonymousMappingTest, AForkedChildSharesIt) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(4096);
  ASSERT_TRUE(shared.ok()) << shared.status();
  std::memcpy(shared->mutable_bytes().data(), "parent", 7);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    if (std::strcmp(shared->bytes().data(), "parent") != 0) return 2;
    std::memcpy(shared->mutable_bytes().data(), "child", 6);
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_STREQ(shared->bytes().data(), "child");
}

// A private anonymous mapping would give the child a copy: this is what
// MAP_SHARED buys.
TEST(AnonymousMappingTest, SeveralChildrenEachAddTheirShare) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(4096);
  ASSERT_TRUE(shared.ok()) << shared.status();
  constexpr int kChildren = 4;
  for (int i = 0; i < kChildren; ++i) {
    absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
      shared->mutable_bytes()[i] = static_cast<char>('a' + i);
      return 0;
    });
    ASSERT_TRUE(child.ok()) << child.status();
    ASSERT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  }
  EXPECT_EQ(std::string(shared->bytes().data(), kChildren), "abcd");
}

TEST(MappingTest, AnEmptyMappingHasNothing) {
  Mapping empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_FALSE(empty.writable());
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.bytes().empty());
  EXPECT_TRUE(empty.mutable_bytes().empty());
  EXPECT_TRUE(absl::IsFailedPrecondition(empty.Sync()));
  EXPECT_TRUE(empty.Unmap().ok());
}

TEST(MappingTest, MovingTransfersTheRegion) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(4096);
  ASSERT_TRUE(shared.ok());
  const char* data = shared->bytes().data();
  Mapping moved = *std::move(shared);
  EXPECT_EQ(moved.bytes().data(), data);
  Mapping assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.bytes().data(), data);
  EXPECT_FALSE(moved.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(assigned.Unmap().ok());
  EXPECT_FALSE(assigned.valid());
  EXPECT_TRUE(assigned.Unmap().ok());
}

TEST(MappingTest, MapSharedChecksLengthAndOffset) {
  const std::string path = UniqueTempPath("mapping");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ::unlink(path.c_str());
  ASSERT_EQ(::ftruncate(fd, 8192), 0);
  absl::StatusOr<Mapping> zero =
      Mapping::MapShared(fd, 0, MemoryAccess::kReadOnly, "file");
  EXPECT_TRUE(absl::IsInvalidArgument(zero.status())) << zero.status();
  absl::StatusOr<Mapping> unaligned =
      Mapping::MapShared(fd, 100, MemoryAccess::kReadOnly, "file", 100);
  EXPECT_TRUE(absl::IsInvalidArgument(unaligned.status()));
  EXPECT_THAT(unaligned.status().message(), HasSubstr("page size"));
  absl::StatusOr<Mapping> second_page = Mapping::MapShared(
      fd, 4096, MemoryAccess::kReadWrite, "file", ::sysconf(_SC_PAGESIZE));
  EXPECT_TRUE(second_page.ok()) << second_page.status();
  // A read-only descriptor cannot back a writable shared mapping.
  const int ro =
      ::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY);
  ASSERT_GE(ro, 0);
  absl::StatusOr<Mapping> denied =
      Mapping::MapShared(ro, 4096, MemoryAccess::kReadWrite, "file");
  EXPECT_TRUE(absl::IsPermissionDenied(denied.status())) << denied.status();
  EXPECT_THAT(denied.status().message(), HasSubstr("read-write"));
  ::close(ro);
  ::close(fd);
}

}  // namespace
}  // namespace ipcbox
