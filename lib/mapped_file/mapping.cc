#include "ipcbox/mapped_file/mapping.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/mapped_file/anonymous_mapping.h"

namespace ipcbox {
namespace {

// mmap() reports "no address space or memory left" as ENOMEM, which
// ErrnoToStatus maps to ResourceExhausted; the message says how much.
absl::Status MmapError(int errnum, size_t length, MemoryAccess access,
                       absl::string_view object) {
  const absl::Status status = ErrnoError(errnum, "mmap", object);
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), " (", length, " bytes, ",
                                   MemoryAccessName(access), ")"));
}

// For calls on a mapping, which has no name of its own to report.
absl::Status MappingError(int errnum, absl::string_view call, size_t size) {
  return ErrnoErrorWithMessage(
      errnum, absl::StrCat(call, "(mapping of ", size, " bytes)"));
}

}  // namespace

absl::StatusOr<Mapping> Mapping::MapShared(int fd, size_t length,
                                           MemoryAccess access,
                                           absl::string_view object,
                                           off_t offset) {
  if (length == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot map 0 bytes of ", QuoteForMessage(object)));
  }
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (offset < 0 || (page_size > 0 && offset % page_size != 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot map ", QuoteForMessage(object), " from offset ",
        static_cast<long long>(offset),
        ": the offset must be a non-negative multiple of the page size (",
        page_size, ")"));
  }
  void* address =
      ::mmap(nullptr, length, ProtectionFlags(access), MAP_SHARED, fd, offset);
  if (address == MAP_FAILED) return MmapError(errno, length, access, object);
  return Mapping(address, length, access);
}

absl::StatusOr<Mapping> MapAnonymousShared(size_t length) {
  if (length == 0) {
    return absl::InvalidArgumentError(
        "cannot make an anonymous shared mapping of 0 bytes");
  }
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED) {
    return MmapError(errno, length, MemoryAccess::kReadWrite,
                     "anonymous shared memory");
  }
  return Mapping(address, length, MemoryAccess::kReadWrite);
}

Mapping::Mapping(Mapping&& other) noexcept
    : address_(std::exchange(other.address_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      access_(other.access_) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    // The destructor's contract: errors of an implicit unmap are dropped.
    Unmap().IgnoreError();
    address_ = std::exchange(other.address_, nullptr);
    size_ = std::exchange(other.size_, 0);
    access_ = other.access_;
  }
  return *this;
}

Mapping::~Mapping() { Unmap().IgnoreError(); }

absl::Status Mapping::Sync(SyncMode mode) {
  if (!valid()) {
    return absl::FailedPreconditionError("msync of an empty mapping");
  }
  const int flags = mode == SyncMode::kSync ? MS_SYNC : MS_ASYNC;
  // msync() does not fail with EINTR: MS_SYNC waits uninterruptibly.
  if (::msync(address_, size_, flags) != 0) {
    return MappingError(errno, "msync", size_);
  }
  return absl::OkStatus();
}

absl::Status Mapping::Unmap() {
  if (!valid()) return absl::OkStatus();
  void* address = std::exchange(address_, nullptr);
  const size_t size = std::exchange(size_, 0);
  if (::munmap(address, size) != 0) {
    return MappingError(errno, "munmap", size);
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
