// Deterministic, position-dependent test bytes, so that a transfer that
// drops, repeats, reorders or mixes up bytes cannot match by accident.
//
//   const std::string sent = ipcbox::testing::Pattern(1 << 20);
//   ...                                       // send it, receive `got`
//   EXPECT_EQ(ipcbox::testing::FirstPatternMismatch(got, /*offset=*/0),
//             absl::string_view::npos);
//
// Pattern(size, offset) is the same bytes as the pattern from `offset` on,
// so a stream read in pieces can be checked piece by piece. SeededPattern()
// gives each of several peers (clients, say) bytes of its own, so that an
// echo sent to the wrong peer is caught.

#ifndef IPCBOX_TESTS_SUPPORT_PATTERN_H_
#define IPCBOX_TESTS_SUPPORT_PATTERN_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ipcbox::testing {

// Byte `i` of the pattern.
inline char PatternByte(size_t i) {
  return static_cast<char>((i * 2654435761u) >> 13);
}

// `size` bytes of the pattern, starting at byte `offset`.
inline std::string Pattern(size_t size, size_t offset = 0) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = PatternByte(offset + i);
  return s;
}

// `size` bytes of a stream of its own for each `seed` (xorshift64 from a
// seed-dependent state), not a piece of the pattern above: pieces of that
// repeat with a period of 2 MiB, too short to tell many peers apart.
inline std::string SeededPattern(uint64_t seed, size_t size) {
  std::string bytes(size, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bytes[i] = static_cast<char>(x);
  }
  return bytes;
}

// Index of the first byte of `got` that differs from the pattern at
// `offset`, or npos.
inline size_t FirstPatternMismatch(absl::string_view got, size_t offset) {
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != PatternByte(offset + i)) return i;
  }
  return absl::string_view::npos;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_PATTERN_H_
