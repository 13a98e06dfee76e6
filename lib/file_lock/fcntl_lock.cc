#include "ipcbox/file_lock/fcntl_lock.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/record_lock.h"

namespace ipcbox {

absl::StatusOr<FcntlLock> FcntlLock::Open(absl::string_view path,
                                          const LockFileOptions& options) {
  absl::StatusOr<LockFile> file = LockFile::Open(path, options, "FcntlLock");
  if (!file.ok()) return file.status();
  return FcntlLock(RecordLock(*std::move(file), RecordLockOwner::kProcess));
}

absl::StatusOr<FcntlLock> FcntlLock::Adopt(Fd fd) {
  absl::StatusOr<LockFile> file = LockFile::Adopt(std::move(fd), "FcntlLock");
  if (!file.ok()) return file.status();
  return FcntlLock(RecordLock(*std::move(file), RecordLockOwner::kProcess));
}

}  // namespace ipcbox
