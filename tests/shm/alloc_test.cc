// Accessing shared memory never allocates: the spans of both backends, and
// the bounded readers applied to them, run under an allocation counter. An
// injected allocation shows the counter would catch one.

#include <cstring>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/shm/bounded_read.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/shm/shm_test_util.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;
using ::ipcbox::testing::ScopedName;

// Writes a record and reads it back, bounds-checked, the way a hot loop
// over shared memory would. Returns the number of bytes that matched.
template <typename Shm>
size_t WriteAndReadBack(Shm& shm, int rounds) {
  static constexpr char kRecord[] = "sensor 17: 42.5 C";
  char copy[64];
  size_t matched = 0;
  for (int i = 0; i < rounds; ++i) {
    absl::Span<char> out = shm.mutable_bytes();
    std::memcpy(out.data(), kRecord, sizeof(kRecord));
    absl::Span<const char> in = shm.bytes();
    BoundedString text = BoundedCString(in);
    matched += text.terminated ? text.text.size() : 0;
    matched += CopyCString(in, absl::MakeSpan(copy));
    absl::StatusOr<absl::Span<const char>> field = CheckedSubspan(in, 11, 4);
    matched += field.ok() ? field->size() : 0;
  }
  return matched;
}

template <typename Shm>
class SharedMemoryAllocationTest : public ::testing::Test {};

TYPED_TEST_SUITE(SharedMemoryAllocationTest, ::ipcbox::testing::ShmBackends);

TYPED_TEST(SharedMemoryAllocationTest, AccessingTheBytesDoesNotAllocate) {
  ScopedName<TypeParam> name("shm_alloc");
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  WriteAndReadBack(*shm, 1);  // warm up (nothing lazy expected, but be fair)
  AllocationCounter counter;
  const size_t matched = WriteAndReadBack(*shm, 1000);
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(matched, 1000u * (17 + 17 + 4));
}

TYPED_TEST(SharedMemoryAllocationTest, ReadOnlyAccessDoesNotAllocate) {
  ScopedName<TypeParam> name("shm_alloc");
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<TypeParam> reader =
      TypeParam::OpenExisting(*name, 4096, MemoryAccess::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  size_t empty_writable = 0;
  EXPECT_NO_ALLOCATIONS(empty_writable = reader->mutable_bytes().size());
  EXPECT_EQ(empty_writable, 0u);
  size_t length = 0;
  EXPECT_NO_ALLOCATIONS(length = BoundedCString(reader->bytes()).text.size());
  EXPECT_EQ(length, 0u);
}

TEST(AllocationCounterTest, WouldSeeAnAllocationInThisBinary) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_ALLOCATIONS(::ipcbox::testing::InjectTwoAllocations()),
      "made 2 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox
