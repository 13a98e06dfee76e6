// byte_range.h
//
// `ByteRange` is the span of a file that a record lock (fcntl or OFD) covers:
// `length` bytes from offset `start`, or, with length 0, every byte from
// `start` on, however far the file grows. The default range is the whole
// file.
//
// Example (two writers updating different 64-byte records of one file):
//
//   constexpr int64_t kRecordSize = 64;
//   ByteRange record = ByteRange::Of(index * kRecordSize, kRecordSize);
//   absl::Status s = lock.Lock(LockType::kExclusive, record);
//
// What a range may be:
//   - `start` >= 0 and `length` >= 0. POSIX also lets l_len be negative (the
//     bytes before l_start); ipcbox does not, so that a range means one
//     thing. A negative value is `kInvalidArgument`, before any system call.
//   - The last byte, start + length - 1, must be at most INT64_MAX (the
//     largest file offset); a range that overflows is `kInvalidArgument`.
//   - A range may reach past the end of the file or lie wholly beyond it.
//     This is not an error: POSIX allows it, the lock covers those bytes
//     should the file grow into them, and the file is not extended. Locking
//     bytes that do not exist yet is how writers reserve the record they are
//     about to append, and how a lock on a single byte far beyond any data
//     (a "lock byte") is made.
//
// Ranges are absolute offsets (SEEK_SET); the file position is never used.
// Offsets are 64-bit on every architecture, 32-bit ARM included.

#ifndef IPCBOX_FILE_LOCK_BYTE_RANGE_H_
#define IPCBOX_FILE_LOCK_BYTE_RANGE_H_

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace ipcbox {

struct ByteRange {
  // Every byte of the file, present and future: offset 0, length 0.
  static constexpr ByteRange WholeFile() { return ByteRange{0, 0}; }
  // `length` bytes from `start`; length 0 means "to the end, and beyond".
  static constexpr ByteRange Of(int64_t start, int64_t length) {
    return ByteRange{start, length};
  }
  // Every byte from `start` on.
  static constexpr ByteRange From(int64_t start) { return ByteRange{start, 0}; }

  // True for a range with no upper end (length 0).
  constexpr bool unbounded() const { return length == 0; }

  int64_t start = 0;
  int64_t length = 0;

  friend constexpr bool operator==(ByteRange a, ByteRange b) {
    return a.start == b.start && a.length == b.length;
  }
  friend constexpr bool operator!=(ByteRange a, ByteRange b) {
    return !(a == b);
  }
};

namespace byte_range_internal {
// The status ValidateByteRange() returns for an invalid range.
absl::Status InvalidByteRangeError(ByteRange range);
}  // namespace byte_range_internal

// OK if `range` follows the rules above, else
// `kInvalidArgument` naming the range and the rule. Allocates only when it
// fails. Inline: every lock call checks its range first.
inline absl::Status ValidateByteRange(ByteRange range) {
  // The last byte is start + length - 1; written so that nothing overflows.
  if (range.start >= 0 && range.length >= 0 &&
      (range.length == 0 || range.start <= std::numeric_limits<int64_t>::max() -
                                               (range.length - 1))) {
    return absl::OkStatus();
  }
  return byte_range_internal::InvalidByteRangeError(range);
}

// "[100, 150)" or "[100, EOF and beyond)", for messages. Allocates.
std::string ByteRangeToString(ByteRange range);

std::ostream& operator<<(std::ostream& os, ByteRange range);

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_BYTE_RANGE_H_
