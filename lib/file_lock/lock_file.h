// lock_file.h
//
// `LockFile` is the open file a lock type locks: the descriptor, owned, and
// whether opening it created the file. `FcntlLock`, `OfdLock` and
// `FlockLock` are built on it (privately) and re-export what they offer;
// code takes one of those, not a `LockFile`.
//
// Example (what `FlockLock::Open()` does):
//
//   absl::StatusOr<LockFile> file = LockFile::Open(path, options, "FlockLock");
//   if (!file.ok()) return file.status();  // messages name "FlockLock"
//   return FlockLock(*std::move(file));

#ifndef IPCBOX_FILE_LOCK_LOCK_FILE_H_
#define IPCBOX_FILE_LOCK_LOCK_FILE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/lock_file_options.h"

namespace ipcbox {

class LockFile {
 public:
  LockFile() = default;
  LockFile(LockFile&&) = default;
  LockFile& operator=(LockFile&&) = default;

  // Opens or creates `path` as `options` say; see lock_file_options.h.
  // `type_name` ("FcntlLock") prefixes messages about the path itself.
  static absl::StatusOr<LockFile> Open(absl::string_view path,
                                       const LockFileOptions& options,
                                       absl::string_view type_name);

  // Takes `fd`; fails with kInvalidArgument if it is empty or not open
  // (the descriptor is closed on failure).
  static absl::StatusOr<LockFile> Adopt(Fd fd, absl::string_view type_name);

  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  bool created() const { return created_; }
  Fd Release() { return std::move(fd_); }
  absl::Status Close() { return fd_.Close(); }

 private:
  LockFile(Fd fd, bool created) : fd_(std::move(fd)), created_(created) {}

  Fd fd_;
  bool created_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_LOCK_FILE_H_
