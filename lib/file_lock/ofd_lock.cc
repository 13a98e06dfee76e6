#include "ipcbox/file_lock/ofd_lock.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/record_lock.h"

namespace ipcbox {

absl::StatusOr<OfdLock> OfdLock::Open(absl::string_view path,
                                      const LockFileOptions& options) {
  absl::StatusOr<LockFile> file = LockFile::Open(path, options, "OfdLock");
  if (!file.ok()) return file.status();
  return OfdLock(
      RecordLock(*std::move(file), RecordLockOwner::kOpenFileDescription));
}

absl::StatusOr<OfdLock> OfdLock::Adopt(Fd fd) {
  absl::StatusOr<LockFile> file = LockFile::Adopt(std::move(fd), "OfdLock");
  if (!file.ok()) return file.status();
  return OfdLock(
      RecordLock(*std::move(file), RecordLockOwner::kOpenFileDescription));
}

}  // namespace ipcbox
