// Accessing mapped memory (files and anonymous shared memory) and syncing it
// never allocate.

#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/mapped_file/anonymous_mapping.h"
#include "ipcbox/mapped_file/mapped_file.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;

template <typename Mapped>
size_t TouchEveryPage(Mapped& mapped, int rounds) {
  size_t sum = 0;
  for (int r = 0; r < rounds; ++r) {
    absl::Span<char> out = mapped.mutable_bytes();
    for (size_t i = 0; i < out.size(); i += 4096) out[i] = static_cast<char>(r);
    absl::Span<const char> in = mapped.bytes();
    for (size_t i = 0; i < in.size(); i += 4096) sum += in[i];
  }
  return sum;
}

TEST(MappedFileAllocationTest, AccessAndSyncDoNotAllocate) {
  const std::string path = UniqueTempPath("mapped_file_alloc");
  absl::StatusOr<MappedFile> file = MappedFile::Create(path, 64 * 1024);
  ASSERT_TRUE(file.ok()) << file.status();
  AllocationCounter counter;
  const size_t sum = TouchEveryPage(*file, 100);
  const absl::Status synced = file->Sync(SyncMode::kAsync);
  counter.Stop();
  ::unlink(path.c_str());
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_TRUE(synced.ok()) << synced;
  EXPECT_EQ(sum, 16u * (99 * 100 / 2));
}

TEST(AnonymousMappingAllocationTest, AccessDoesNotAllocate) {
  absl::StatusOr<Mapping> shared = MapAnonymousShared(64 * 1024);
  ASSERT_TRUE(shared.ok()) << shared.status();
  size_t sum = 0;
  EXPECT_NO_ALLOCATIONS(sum = TouchEveryPage(*shared, 100));
  EXPECT_EQ(sum, 16u * (99 * 100 / 2));
}

// A blind counter would pass every check above: the counter in this binary
// sees an injected allocation (one new, one malloc).
TEST(MappedFileAllocationControlTest, TheCounterSeesAnInjectedAllocation) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_ALLOCATIONS(::ipcbox::testing::InjectTwoAllocations()),
      "made 2 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox
