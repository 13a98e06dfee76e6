// The bounded readers never read past a region, whatever a peer left in it.

#include "ipcbox/shm/bounded_read.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/mapped_file/anonymous_mapping.h"
#include "ipcbox/mapped_file/mapping.h"

namespace ipcbox {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(BoundedCStringTest, StopsAtTheFirstNul) {
  const char region[] = "ABC\0DEF";
  BoundedString s = BoundedCString(absl::MakeConstSpan(region, 7));
  EXPECT_EQ(s.text, "ABC");
  EXPECT_TRUE(s.terminated);
}

TEST(BoundedCStringTest, AnUnterminatedStringIsCutAtTheRegionsEnd) {
  const char region[] = {'A', 'B', 'C', 'D'};
  BoundedString s = BoundedCString(absl::MakeConstSpan(region));
  EXPECT_EQ(s.text, "ABCD");
  EXPECT_FALSE(s.terminated);
  EXPECT_FALSE(BoundedCString(absl::Span<const char>()).terminated);
}

// The region ends at a page that is not mapped: a strlen() would fault.
TEST(BoundedCStringTest, NeverReadsPastTheRegionIntoAnUnmappedPage) {
  absl::StatusOr<Mapping> pages = MapAnonymousShared(2 * 4096);
  ASSERT_TRUE(pages.ok()) << pages.status();
  absl::Span<char> all = pages->mutable_bytes();
  const long page = 4096;
  std::memset(all.data(), 'x', all.size());  // no NUL anywhere
  // Make the second page inaccessible.
  ASSERT_EQ(::mprotect(all.data() + page, page, PROT_NONE), 0);
  absl::Span<const char> first(all.data(), page);
  BoundedString s = BoundedCString(first);
  EXPECT_EQ(s.text.size(), static_cast<size_t>(page));
  EXPECT_FALSE(s.terminated);
  char out[8192];
  EXPECT_EQ(CopyCString(first, absl::MakeSpan(out)), static_cast<size_t>(page));
  ASSERT_EQ(::mprotect(all.data() + page, page, PROT_READ | PROT_WRITE), 0);
}

TEST(CopyCStringTest, CopiesUpToTheNulAndTerminates) {
  const char region[] = "server:ABC\0junk";
  char out[32];
  std::memset(out, '#', sizeof(out));
  EXPECT_EQ(CopyCString(absl::MakeConstSpan(region, 15), absl::MakeSpan(out)),
            10u);
  EXPECT_STREQ(out, "server:ABC");
}

TEST(CopyCStringTest, TruncatesToTheOutputAndStillTerminates) {
  const char region[] = "ABCDEFGH";
  char out[4];
  EXPECT_EQ(CopyCString(absl::MakeConstSpan(region, 8), absl::MakeSpan(out)),
            3u);
  EXPECT_STREQ(out, "ABC");
  EXPECT_EQ(CopyCString(absl::MakeConstSpan(region, 8), absl::Span<char>()),
            0u);
}

TEST(CopyCStringTest, AnUnterminatedRegionIsCutAtItsEnd) {
  const char region[] = {'A', 'B'};
  char out[8];
  EXPECT_EQ(CopyCString(absl::MakeConstSpan(region), absl::MakeSpan(out)), 2u);
  EXPECT_STREQ(out, "AB");
}

TEST(CheckedSubspanTest, InsideTheRegionIsReturned) {
  const char region[] = "0123456789";
  absl::StatusOr<absl::Span<const char>> s =
      CheckedSubspan(absl::MakeConstSpan(region, 10), 3, 4);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(std::string(s->data(), s->size()), "3456");
  EXPECT_TRUE(CheckedSubspan(absl::MakeConstSpan(region, 10), 10, 0).ok());
  EXPECT_TRUE(CheckedSubspan(absl::MakeConstSpan(region, 10), 0, 10).ok());
}

TEST(CheckedSubspanTest, OutsideOrOverflowingIsInvalid) {
  const char region[10] = {};
  const absl::Span<const char> r = absl::MakeConstSpan(region);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (auto [offset, length] : {std::pair<uint64_t, uint64_t>{11, 0},
                                {0, 11},
                                {5, 6},
                                {kMax, 1},
                                {1, kMax},
                                {kMax, kMax},
                                {uint64_t{1} << 32, 1}}) {
    absl::StatusOr<absl::Span<const char>> s =
        CheckedSubspan(r, offset, length);
    EXPECT_TRUE(absl::IsInvalidArgument(s.status()))
        << offset << "+" << length << ": " << s.status();
  }
  absl::Status status = CheckedSubspan(r, 5, 6).status();
  EXPECT_THAT(status.message(), AllOf(HasSubstr("6 bytes at offset 5"),
                                      HasSubstr("region of 10 bytes")));
}

TEST(CheckedSubspanTest, MutableRegionsGiveMutableSpans) {
  char region[10] = {};
  absl::StatusOr<absl::Span<char>> s =
      CheckedSubspan(absl::MakeSpan(region), 2, 3);
  ASSERT_TRUE(s.ok());
  (*s)[0] = 'w';
  EXPECT_EQ(region[2], 'w');
  EXPECT_TRUE(absl::IsInvalidArgument(
      CheckedSubspan(absl::MakeSpan(region), 8, 3).status()));
}

}  // namespace
}  // namespace ipcbox
