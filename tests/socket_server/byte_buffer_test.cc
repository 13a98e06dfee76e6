// ByteBuffer: the fixed-capacity queue under every connection's buffers.

#include "ipcbox/socket_server/byte_buffer.h"

#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace ipcbox {
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

// A caller that miscounts (Commit more than Writable() offered, Consume
// more than is queued) must not make the buffer point past its memory.
TEST(ByteBufferTest, CommitBeyondTheFreeSpaceIsClamped) {
  char memory[16] = {};
  ByteBuffer b(memory, 8);
  Append(b, "abc");
  b.Commit(100);
  EXPECT_EQ(b.size(), 8u);
  EXPECT_TRUE(b.full());
  EXPECT_EQ(b.free_space(), 0u);
  EXPECT_TRUE(b.Writable().empty());
  b.Commit(1);
  EXPECT_EQ(b.size(), 8u);
}

TEST(ByteBufferTest, ConsumeBeyondTheQueuedBytesEmptiesTheBuffer) {
  char memory[8];
  ByteBuffer b(memory, sizeof(memory));
  Append(b, "abc");
  b.Consume(10);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.free_space(), 8u);
  EXPECT_EQ(b.Readable().data(), memory);
  Append(b, "wxyz");
  EXPECT_EQ(View(b), "wxyz");
}

}  // namespace
}  // namespace ipcbox
