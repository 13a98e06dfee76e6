#include "ipcbox/file_lock/byte_range.h"

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ipcbox {

namespace byte_range_internal {

absl::Status InvalidByteRangeError(ByteRange range) {
  if (range.start < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("byte range start ", range.start, " is negative"));
  }
  if (range.length < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "byte range length ", range.length,
        " is negative (ipcbox ranges run forward from start; use length 0 "
        "for \"to the end of the file\")"));
  }
  // The last byte is start + length - 1; written so that nothing overflows.
  constexpr int64_t kMaxOffset = std::numeric_limits<int64_t>::max();
  if (range.length > 0 && range.start > kMaxOffset - (range.length - 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("byte range start ", range.start, " length ", range.length,
                     " ends past the largest file offset (", kMaxOffset, ")"));
  }
  return absl::InternalError("InvalidByteRangeError: the range is valid");
}

}  // namespace byte_range_internal

std::string ByteRangeToString(ByteRange range) {
  if (range.unbounded()) {
    return absl::StrCat("[", range.start, ", EOF and beyond)");
  }
  // Only called on valid ranges, but a message must not overflow either.
  if (range.start > std::numeric_limits<int64_t>::max() - range.length) {
    return absl::StrCat("[", range.start, ", +", range.length, ")");
  }
  return absl::StrCat("[", range.start, ", ", range.start + range.length, ")");
}

std::ostream& operator<<(std::ostream& os, ByteRange range) {
  return os << ByteRangeToString(range);
}

}  // namespace ipcbox
