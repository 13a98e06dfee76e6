// current_file.h
//
// Internal to lib/shared_file: a writer replaces the shared file by renaming
// a complete new one over it, so the file a reader or writer opened earlier
// may no longer be the one the path names. These keep a lock's descriptor
// on the current file.

#ifndef IPCBOX_SHARED_FILE_INTERNAL_CURRENT_FILE_H_
#define IPCBOX_SHARED_FILE_INTERNAL_CURRENT_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "ipcbox/file_lock/fcntl_lock.h"

namespace ipcbox::shared_file_internal {

// Whether `lock`'s descriptor is still the file `path` names. An error if
// the path is gone or not a regular file.
absl::StatusOr<bool> IsCurrent(const FcntlLock& lock, const std::string& path);

// Points `lock` at the file `path` names now (O_NOFOLLOW, a regular file
// only), opened read-write or read-only. The old descriptor is closed,
// which drops any lock held through it. No allocation unless it fails.
absl::Status Reopen(FcntlLock& lock, const std::string& path, bool writable);

// The name a writer builds the next contents under: beside `path`, so that
// rename() is atomic; fixed, so that the next writer removes what a killed
// one left (writers take turns under the lock).
std::string StagingPath(const std::string& path);

// Test-only: when set, `SharedFileWriter::Write()` calls it at each step of
// a replacement (see kStep*), so a test can kill the writer there.
enum WriteStep {
  kStepStagingCreated = 1,
  kStepFirstRecordWritten,
  kStepAllWritten,
  kStepSynced,
  kStepRenamed,
};
extern void (*g_write_step_for_test)(WriteStep step);

}  // namespace ipcbox::shared_file_internal

#endif  // IPCBOX_SHARED_FILE_INTERNAL_CURRENT_FILE_H_
