// lock_file.h
//
// Internal to //lib/file_lock: `LockFile` is what every lock type is made
// of: the descriptor of the file it locks, owned, and whether opening it
// created the file. The lock types inherit from it privately and re-export
// what they offer, the way `PipeReader` does with `PipeEnd`.
//
// Example (`FlockLock::Open()`):
//
//   absl::StatusOr<LockFile> file = LockFile::Open(path, options, "FlockLock");
//   if (!file.ok()) return file.status();  // messages name "FlockLock"
//   return FlockLock(*std::move(file));

#ifndef IPCBOX_FILE_LOCK_INTERNAL_LOCK_FILE_H_
#define IPCBOX_FILE_LOCK_INTERNAL_LOCK_FILE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/lock_file_options.h"

namespace ipcbox {
namespace file_lock_internal {

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

// The status for a lock call on `fd` that failed with `err`. `call` names the
// operation as it should appear in the message ("fcntl(F_SETLKW, exclusive,
// [0, EOF and beyond))"). Turns the errors whose errno alone misleads into
// clear statuses: EBADF on a descriptor that is open but in the wrong access
// mode becomes kFailedPrecondition saying which mode the lock needs; EBADF
// on an empty lock object becomes kFailedPrecondition "not open".
// Error path only: allocates.
absl::Status LockCallError(int err, absl::string_view call, int fd,
                           absl::string_view type_name, bool needs_read,
                           bool needs_write);

}  // namespace file_lock_internal
}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_INTERNAL_LOCK_FILE_H_
