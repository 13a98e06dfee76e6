#include "ipcbox/core/name.h"

#include <limits.h>

#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

// Expects `name` to be rejected with InvalidArgument and a message that
// contains `rule_words`.
void ExpectRejected(absl::string_view name, absl::string_view rule_words,
                    size_t max_length = NAME_MAX) {
  const absl::StatusOr<PosixName> result = PosixName::Create(name, max_length);
  ASSERT_FALSE(result.ok()) << "accepted: " << std::string(name);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), rule_words))
      << result.status();
  EXPECT_TRUE(
      absl::StrContains(result.status().message(), "invalid POSIX IPC name"))
      << result.status();
}

void ExpectAccepted(absl::string_view name, size_t max_length = NAME_MAX) {
  const absl::StatusOr<PosixName> result = PosixName::Create(name, max_length);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->view(), name);
  EXPECT_EQ(result->size(), name.size());
  EXPECT_EQ(std::strlen(result->c_str()), name.size());
  EXPECT_EQ(absl::string_view(result->c_str()), name);
}

TEST(PosixNameTest, AcceptsOrdinaryNames) {
  ExpectAccepted("/a");
  ExpectAccepted("/sensor-frames");
  ExpectAccepted("/ipcbox.1234.0123456789abcdef");
  ExpectAccepted("/with space");
  ExpectAccepted("/.hidden");
  ExpectAccepted("/...");
  ExpectAccepted("/..a");
}

TEST(PosixNameTest, AcceptsTheLongestName) {
  ExpectAccepted("/" + std::string(NAME_MAX, 'x'));
}

TEST(PosixNameTest, RejectsEmpty) { ExpectRejected("", "empty"); }

TEST(PosixNameTest, RejectsMissingLeadingSlash) {
  ExpectRejected("foo", "must start with '/'");
  ExpectRejected(" /foo", "must start with '/'");
}

TEST(PosixNameTest, RejectsSlashAfterTheLeadingOne) {
  ExpectRejected("/a/b", "must not contain '/'");
  ExpectRejected("//a", "must not contain '/'");
  ExpectRejected("/a/", "must not contain '/'");
  ExpectRejected("//", "must not contain '/'");
}

TEST(PosixNameTest, RejectsSlashAlone) {
  ExpectRejected("/", "nothing after the '/'");
}

TEST(PosixNameTest, RejectsEmbeddedNul) {
  ExpectRejected(absl::string_view("/a\0b", 4), "NUL");
  ExpectRejected(absl::string_view("/\0", 2), "NUL");
}

TEST(PosixNameTest, RejectsDotAndDotDot) {
  ExpectRejected("/.", "\"/.\" and \"/..\"");
  ExpectRejected("/..", "\"/.\" and \"/..\"");
}

TEST(PosixNameTest, RejectsTooLong) {
  ExpectRejected("/" + std::string(NAME_MAX + 1, 'x'),
                 "256 bytes after the '/', more than the limit of 255");
}

TEST(PosixNameTest, HonoursASmallerLimit) {
  ExpectAccepted("/abc", 3);
  ExpectRejected("/abcd", "4 bytes after the '/', more than the limit of 3", 3);
}

TEST(PosixNameTest, SemaphoreLimitLeavesRoomForGlibcPrefix) {
  EXPECT_EQ(kMaxSemaphoreNameLength + 4, size_t{NAME_MAX});
  ExpectAccepted("/" + std::string(kMaxSemaphoreNameLength, 's'),
                 kMaxSemaphoreNameLength);
  ExpectRejected("/" + std::string(kMaxSemaphoreNameLength + 1, 's'),
                 "more than the limit of 251", kMaxSemaphoreNameLength);
}

TEST(PosixNameTest, LimitAboveNameMaxMeansNameMax) {
  ExpectRejected("/" + std::string(NAME_MAX + 1, 'x'), "limit of 255",
                 10 * NAME_MAX);
}

TEST(PosixNameTest, MessageQuotesAndEscapesTheName) {
  const absl::StatusOr<PosixName> result = PosixName::Create("bad\nname");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(absl::StrContains(result.status().message(), "\"bad\\nname\""))
      << result.status();
}

TEST(PosixNameTest, MessageForAHugeNameStaysShort) {
  const std::string huge = "/" + std::string(1 << 20, 'x');
  const absl::StatusOr<PosixName> result = PosixName::Create(huge);
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.status().message().size(), 400u);
}

TEST(PosixNameTest, CopiesCompareEqual) {
  absl::StatusOr<PosixName> a = PosixName::Create("/same");
  absl::StatusOr<PosixName> b = PosixName::Create("/other");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  PosixName copy = *a;
  EXPECT_EQ(copy, *a);
  EXPECT_NE(copy, *b);
  copy = *b;
  EXPECT_EQ(copy.view(), "/other");
  EXPECT_STREQ(copy.c_str(), "/other");
  PosixName moved = std::move(copy);
  EXPECT_EQ(moved, *b);
}

}  // namespace
}  // namespace ipcbox
