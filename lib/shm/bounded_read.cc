#include "ipcbox/shm/bounded_read.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/shm/sigbus_guard.h"

namespace ipcbox {
namespace {

bool Fits(size_t region_size, uint64_t offset, uint64_t length) {
  // Written so that nothing overflows: offset <= size, then length against
  // what is left.
  return offset <= region_size && length <= region_size - offset;
}

absl::Status OutOfRegion(size_t region_size, uint64_t offset, uint64_t length) {
  return absl::InvalidArgumentError(
      absl::StrCat(length, " bytes at offset ", offset,
                   " do not lie inside a region of ", region_size, " bytes"));
}

}  // namespace

BoundedString BoundedCString(absl::Span<const char> region) {
  BoundedString result;
  const void* nul = std::memchr(region.data(), '\0', region.size());
  if (nul == nullptr) {
    result.text = absl::string_view(region.data(), region.size());
    return result;
  }
  result.text = absl::string_view(
      region.data(), static_cast<const char*>(nul) - region.data());
  result.terminated = true;
  return result;
}

size_t CopyCString(absl::Span<const char> region, absl::Span<char> out) {
  if (out.empty()) return 0;
  // The peer may write while we copy: read each shared byte exactly once,
  // through a volatile access the compiler may not repeat or widen.
  const volatile char* source = region.data();
  const size_t limit = std::min(region.size(), out.size() - 1);
  size_t n = 0;
  for (; n < limit; ++n) {
    const char c = source[n];
    if (c == '\0') break;
    out[n] = c;
  }
  out[n] = '\0';
  return n;
}

absl::StatusOr<size_t> CopyCStringGuarded(absl::Span<const char> region,
                                          absl::Span<char> out,
                                          absl::string_view what) {
  // Plain byte copies only inside the guard: it is left by siglongjmp.
  size_t copied = 0;
  absl::Status guarded =
      GuardAgainstShrinking(what, [&] { copied = CopyCString(region, out); });
  if (!guarded.ok()) {
    if (!out.empty()) out[0] = '\0';
    return guarded;
  }
  return copied;
}

absl::StatusOr<absl::Span<const char>> CheckedSubspan(
    absl::Span<const char> region, uint64_t offset, uint64_t length) {
  if (!Fits(region.size(), offset, length)) {
    return OutOfRegion(region.size(), offset, length);
  }
  return region.subspan(static_cast<size_t>(offset),
                        static_cast<size_t>(length));
}

absl::StatusOr<absl::Span<char>> CheckedSubspan(absl::Span<char> region,
                                                uint64_t offset,
                                                uint64_t length) {
  if (!Fits(region.size(), offset, length)) {
    return OutOfRegion(region.size(), offset, length);
  }
  return region.subspan(static_cast<size_t>(offset),
                        static_cast<size_t>(length));
}

}  // namespace ipcbox
