// ByteBuffer: the fixed-capacity queue under every connection's buffers.

#include "ipcbox/socket_server/internal/byte_buffer.h"

#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace ipcbox::socket_server_internal {
namespace {

absl::string_view View(const ByteBuffer& b) {
  return absl::string_view(b.Readable().data(), b.Readable().size());
}

void Append(ByteBuffer& b, absl::string_view text) {
  absl::Span<char> space = b.Writable();
  ASSERT_GE(space.size(), text.size());
  std::memcpy(space.data(), text.data(), text.size());
  b.Commit(text.size());
}

TEST(ByteBufferTest, QueuesInOrderUpToItsCapacity) {
  char memory[8];
  ByteBuffer b(memory, sizeof(memory));
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.free_space(), 8u);
  Append(b, "abcde");
  Append(b, "fgh");
  EXPECT_TRUE(b.full());
  EXPECT_EQ(View(b), "abcdefgh");
  EXPECT_TRUE(b.Writable().empty());
}

TEST(ByteBufferTest, ConsumedSpaceIsReusedAsOneSpan) {
  char memory[8];
  ByteBuffer b(memory, sizeof(memory));
  Append(b, "abcdef");
  b.Consume(4);
  EXPECT_EQ(View(b), "ef");
  EXPECT_EQ(b.free_space(), 6u);
  EXPECT_EQ(b.Writable().size(), 6u);  // the two bytes moved to the front
  Append(b, "ghijkl");
  EXPECT_EQ(View(b), "efghijkl");
}

TEST(ByteBufferTest, ConsumingEverythingRewinds) {
  char memory[4];
  ByteBuffer b(memory, sizeof(memory));
  Append(b, "abc");
  b.Consume(3);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.Readable().data(), memory);
  EXPECT_EQ(b.Writable().size(), 4u);
  Append(b, "wxyz");
  b.Clear();
  EXPECT_TRUE(b.empty());
}

}  // namespace
}  // namespace ipcbox::socket_server_internal
