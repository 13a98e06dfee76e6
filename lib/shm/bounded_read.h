// bounded_read.h
//
// Reading what a peer wrote into shared memory without trusting it. The
// bytes of a shared region belong to every process that maps it: a buggy or
// hostile peer can put any offset, length or unterminated string there, and
// can change it between our check and our use. The helpers here check every
// offset and length against the region (without overflow), never read past
// its end, and take each byte once, so a concurrent change can give an odd
// value but never an out-of-bounds access.
//
// Example (the seed's System V server prints the client's string):
//
//   // The C server does printf("%s", shmaddr): a client that fills all 4096
//   // bytes without a NUL makes it read past the segment.
//   absl::string_view text = BoundedCString(segment.bytes()).text;
//
//   // A header field says where a record is and how long it is:
//   absl::StatusOr<absl::Span<const char>> record =
//       CheckedSubspan(segment.bytes(), header.offset, header.length);
//   if (!record.ok()) return record.status();  // InvalidArgument, nothing read
//
// Shrinking: a peer that can write the object can also ftruncate() it, and
// the next access past the new end is SIGBUS. Only `CopyCStringGuarded()`
// (and anything run inside `GuardAgainstShrinking()`) is safe from that.
//
// None of these allocate on success. `CheckedSubspan`'s error status carries
// a message and allocates; `BoundedCString` and `CopyCString` never do.

#ifndef IPCBOX_SHM_BOUNDED_READ_H_
#define IPCBOX_SHM_BOUNDED_READ_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ipcbox {

// A C string found in a region, bounded by the region's end.
struct BoundedString {
  // The bytes before the first NUL, or the whole region when there is none.
  absl::string_view text;
  // Whether a NUL ended the string inside the region. False means the peer
  // left it unterminated (or the region is empty), and `text` is cut at the
  // region's end.
  bool terminated = false;
};

// Finds the NUL-terminated string at the start of `region` (strnlen, not
// strlen). `text` views the shared bytes themselves: a peer may change them
// while the caller reads. Copy (`CopyCString`) when a stable value matters.
BoundedString BoundedCString(absl::Span<const char> region);

// Copies the C string at the start of `region` into `out`, byte by byte in
// one pass, stopping at the first NUL, at the end of `region`, or when `out`
// has room left only for the terminating NUL, which it always writes (when
// `out` is not empty). Returns the number of bytes copied, NUL excluded.
// One pass means the copy is one consistent string even if the peer rewrites
// the region meanwhile.
size_t CopyCString(absl::Span<const char> region, absl::Span<char> out);

// `CopyCString()` made safe against a peer that shrinks the object under
// the mapping (see sigbus_guard.h): DataLoss naming `what` instead of a
// SIGBUS that kills the process. Use it on memory that anyone but this
// process may truncate; `out` then holds what was copied before the fault,
// NUL-terminated, but the status says not to trust it.
absl::StatusOr<size_t> CopyCStringGuarded(absl::Span<const char> region,
                                          absl::Span<char> out,
                                          absl::string_view what);

// The `length` bytes at `offset` in `region`, when they lie inside it;
// InvalidArgument naming the three numbers otherwise. `offset` and `length` are
// 64-bit so that values read from a peer's header are checked before any
// narrowing, and `offset + length` is checked without overflowing.
absl::StatusOr<absl::Span<const char>> CheckedSubspan(
    absl::Span<const char> region, uint64_t offset, uint64_t length);
absl::StatusOr<absl::Span<char>> CheckedSubspan(absl::Span<char> region,
                                                uint64_t offset,
                                                uint64_t length);

}  // namespace ipcbox

#endif  // IPCBOX_SHM_BOUNDED_READ_H_
