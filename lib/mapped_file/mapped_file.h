// mapped_file.h
//
// `MappedFile` maps a regular file into memory, shared: processes that map
// the same file see each other's writes at once, and the file keeps them
// after every process has gone (ALP ch. 5, "mapped memory"). It is shared
// memory with a name in the file system and contents that persist; it never
// removes its file.
//
// Example (one process writes, another reads the same path):
//
//   MappedFileOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   absl::StatusOr<MappedFile> file = MappedFile::Open(
//       "/var/run/board/counters", sizeof(Counters), options);
//   if (!file.ok()) return file.status();
//   std::memcpy(file->mutable_bytes().data(), &counters, sizeof(counters));
//   if (absl::Status s = file->Sync(); !s.ok()) return s;   // on disk now
//
//   absl::StatusOr<MappedFile> view = MappedFile::OpenExisting(
//       "/var/run/board/counters", MemoryAccess::kReadOnly);
//   absl::Span<const char> bytes = view->bytes();
//
// A symbolic link at the path is refused, and nothing past the file's end is
// mapped. A file that a peer truncates while mapped raises SIGBUS on access
// past its new end: agree that files only grow. See lib/mapped_file's
// README.md.

#ifndef IPCBOX_MAPPED_FILE_MAPPED_FILE_H_
#define IPCBOX_MAPPED_FILE_MAPPED_FILE_H_

#include <cstddef>
#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/mapped_file/mapping.h"

namespace ipcbox {

// What `MappedFile::Open()` does. The defaults: create exclusively (a file
// is data, not a rendezvous: nobody else should have made it first),
// owner-only, read-write.
struct MappedFileOptions {
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // Applied exactly, whatever the umask, to a file this call creates.
  Permissions permissions = Permissions::OwnerOnly();
  // Read-only is for kOpenExisting: a mode that may create needs kReadWrite.
  MemoryAccess access = MemoryAccess::kReadWrite;
};

class MappedFile {
 public:
  // Opens or creates the file at `path` as `options.open_mode` says and maps
  // its first `size` bytes.
  //
  // - kCreateExclusive / kPurgeAndCreate: a new file of `size` zero bytes.
  //   The space is reserved with posix_fallocate(), so a full file system is
  //   a ResourceExhausted status now, not a SIGBUS on a later write.
  //   kPurgeAndCreate first unlinks what is at the path.
  // - kOpenOrCreate: creates as above if nothing is there; otherwise opens
  //   the file and grows it to `size` if it is smaller (never shrunk, so a
  //   peer's mapping stays valid).
  // - kOpenExisting: the file must exist and hold at least `size` bytes.
  //
  // Errors: InvalidArgument for `size` 0 or a creating mode with read-only
  // access; AlreadyExists, NotFound, PermissionDenied from open();
  // FailedPrecondition for a directory, device, FIFO or symbolic link, or,
  // naming both sizes, an existing file smaller than `size` (kOpenExisting).
  // A file this call created is removed again on failure.
  static absl::StatusOr<MappedFile> Open(
      absl::string_view path, size_t size,
      const MappedFileOptions& options = MappedFileOptions());

  // A new file of `size` zero bytes, read-write: `Open` with
  // kCreateExclusive.
  static absl::StatusOr<MappedFile> Create(
      absl::string_view path, size_t size,
      Permissions permissions = Permissions::OwnerOnly());

  // Maps the whole existing regular file at `path`. Errors: NotFound (no such
  // file), FailedPrecondition (an empty file, a directory, device or FIFO, or
  // a symbolic link), PermissionDenied (`access` not allowed),
  // ResourceExhausted (a file larger than this process can map).
  static absl::StatusOr<MappedFile> OpenExisting(
      absl::string_view path, MemoryAccess access = MemoryAccess::kReadWrite);

  // Maps the first `size` bytes of the existing file: `Open` with
  // kOpenExisting.
  static absl::StatusOr<MappedFile> OpenExisting(
      absl::string_view path, size_t size,
      MemoryAccess access = MemoryAccess::kReadWrite);

  MappedFile() = default;
  MappedFile(MappedFile&&) noexcept = default;
  MappedFile& operator=(MappedFile&&) noexcept = default;

  const std::string& path() const { return path_; }
  size_t size() const { return mapping_.size(); }
  bool writable() const { return mapping_.writable(); }

  // The mapped bytes; `mutable_bytes()` is empty when mapped read-only.
  absl::Span<const char> bytes() const { return mapping_.bytes(); }
  absl::Span<char> mutable_bytes() { return mapping_.mutable_bytes(); }

  // Writes the changed pages back to the file (msync). Peers that map the
  // file see changes at once without it; Sync is for the storage.
  ABSL_MUST_USE_RESULT absl::Status Sync(SyncMode mode = SyncMode::kSync) {
    return mapping_.Sync(mode);
  }

  // Unmaps now, reporting munmap()'s error. The destructor does the same
  // silently.
  ABSL_MUST_USE_RESULT absl::Status Close() { return mapping_.Unmap(); }

 private:
  // Maps `length` bytes of the file open as `fd`.
  static absl::StatusOr<MappedFile> MapOpenFile(std::string path, int fd,
                                                MemoryAccess access,
                                                size_t length);

  MappedFile(std::string path, Mapping mapping)
      : path_(std::move(path)), mapping_(std::move(mapping)) {}

  std::string path_;
  Mapping mapping_;
};

}  // namespace ipcbox

#endif  // IPCBOX_MAPPED_FILE_MAPPED_FILE_H_
