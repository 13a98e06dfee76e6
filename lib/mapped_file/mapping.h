// mapping.h
//
// `Mapping` owns one shared memory mapping made with mmap() and unmaps it
// when it goes out of scope. It is the piece that mapped files, anonymous
// shared memory and POSIX shared memory objects have in common: a region of
// bytes that other processes see too, handed out as `absl::Span` so that
// every access knows where the region ends.
//
// Example:
//
//   absl::StatusOr<Mapping> mapping = Mapping::MapShared(
//       fd, size, MemoryAccess::kReadWrite, path);
//   if (!mapping.ok()) return mapping.status();
//   absl::Span<char> bytes = mapping->mutable_bytes();
//   std::memcpy(bytes.data(), record, std::min(bytes.size(), record_size));
//   return mapping->Sync(SyncMode::kSync);  // for a file: on disk now
//
// The mapping is always MAP_SHARED: writes go to the object (file, shared
// memory) and reach every process that maps it. A process forked while the
// mapping exists shares the same pages.
//
// Caveat: a mapping of a file or object that someone shrinks afterwards
// raises SIGBUS on access to the pages past the new end. Nothing in user space
// can prevent that; the factories that open objects check the size when they
// map, and their headers say who may resize what.
//
// Accessors and `Sync()` never allocate; set-up and error paths may.

#ifndef IPCBOX_MAPPED_FILE_MAPPING_H_
#define IPCBOX_MAPPED_FILE_MAPPING_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/memory_access.h"

namespace ipcbox {

// How `Mapping::Sync()` waits for written pages to reach the file.
enum class SyncMode {
  // msync(MS_SYNC): returns once the pages are written out.
  kSync,
  // msync(MS_ASYNC): schedules the write-out and returns. Other processes see
  // the data at once either way (they share the pages); this is about the
  // file on its storage only.
  kAsync,
};

class Mapping {
 public:
  // An empty mapping: `valid()` is false and the spans are empty.
  Mapping() = default;

  // Maps `length` bytes of `fd`, from `offset`, MAP_SHARED with the
  // protection `access` asks for. `fd` must be open for reading, and for
  // writing too when `access` is kReadWrite; the mapping outlives the
  // descriptor, which the caller may close afterwards. `object` names what
  // `fd` refers to, for messages. `length` 0 and an offset that is not a
  // multiple of the page size are InvalidArgument. The caller checks that the
  // object holds `offset + length` bytes: mmap() does not.
  static absl::StatusOr<Mapping> MapShared(int fd, size_t length,
                                           MemoryAccess access,
                                           absl::string_view object,
                                           off_t offset = 0);

  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& other) noexcept;
  // Unmaps the region held so far, then takes `other`'s.
  Mapping& operator=(Mapping&& other) noexcept;
  ~Mapping();

  bool valid() const { return address_ != nullptr; }
  bool writable() const {
    return valid() && access_ == MemoryAccess::kReadWrite;
  }
  MemoryAccess access() const { return access_; }
  size_t size() const { return size_; }

  // The mapped bytes. Valid until the mapping is unmapped or destroyed.
  absl::Span<const char> bytes() const {
    return absl::Span<const char>(static_cast<const char*>(address_), size_);
  }

  // The mapped bytes, for writing. Empty when the mapping is read-only, so
  // that a write that would fault is a bounds error the caller can see
  // (check `writable()`) rather than a SIGSEGV.
  absl::Span<char> mutable_bytes() {
    if (!writable()) return absl::Span<char>();
    return absl::Span<char>(static_cast<char*>(address_), size_);
  }

  // msync() over the whole mapping. For files: pushes written pages to the
  // file's storage. FailedPrecondition on an empty mapping.
  ABSL_MUST_USE_RESULT absl::Status Sync(SyncMode mode = SyncMode::kSync);

  // Unmaps now and reports munmap()'s error, if any. The mapping is empty
  // afterwards in every case. Unmapping an empty mapping succeeds.
  ABSL_MUST_USE_RESULT absl::Status Unmap();

 private:
  friend absl::StatusOr<Mapping> MapAnonymousShared(size_t length);

  Mapping(void* address, size_t size, MemoryAccess access)
      : address_(address), size_(size), access_(access) {}

  void* address_ = nullptr;
  size_t size_ = 0;
  MemoryAccess access_ = MemoryAccess::kReadOnly;
};

}  // namespace ipcbox

#endif  // IPCBOX_MAPPED_FILE_MAPPING_H_
