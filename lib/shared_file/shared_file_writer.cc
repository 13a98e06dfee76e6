// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel) so that offsets are
// 64-bit on 32-bit ARM too.
#include "ipcbox/shared_file/shared_file_writer.h"

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/shared_file/internal/acquire.h"

namespace ipcbox {

absl::StatusOr<SharedFileWriter> SharedFileWriter::Open(
    absl::string_view path, const SharedFileWriterOptions& options) {
  LockFileOptions lock_options;
  lock_options.open_mode = options.open_mode;
  lock_options.access = LockFileAccess::kReadWrite;
  lock_options.permissions = options.permissions;
  absl::StatusOr<FcntlLock> lock = FcntlLock::Open(path, lock_options);
  if (!lock.ok()) return lock.status();
  return SharedFileWriter(*std::move(lock));
}

absl::StatusOr<WriteResult> SharedFileWriter::Write(
    absl::Span<const absl::string_view> records, Deadline deadline) {
  absl::StatusOr<shared_file_internal::Acquisition> acquired =
      shared_file_internal::AcquireOrFindHolder(lock_, LockType::kExclusive,
                                                deadline);
  if (!acquired.ok()) return acquired.status();
  if (!acquired->acquired) {
    WriteResult locked;
    locked.state = WriteState::kLocked;
    locked.holder = acquired->holder;
    return locked;
  }
  size_t written = 0;
  const absl::Status wrote = WriteAll(records, &written);
  const absl::Status unlocked = lock_.Unlock();
  if (!wrote.ok()) return wrote;
  if (!unlocked.ok()) return unlocked;
  WriteResult result;
  result.state = WriteState::kWritten;
  result.size = written;
  return result;
}

absl::Status SharedFileWriter::WriteAll(
    absl::Span<const absl::string_view> records, size_t* written) {
  off_t offset = 0;
  for (absl::string_view record : records) {
    while (!record.empty()) {
      const ssize_t n = RetryOnEintr(
          [&] { return ::pwrite(fd(), record.data(), record.size(), offset); });
      if (n < 0) return ErrnoError(errno, "SharedFileWriter: pwrite", fd());
      record.remove_prefix(static_cast<size_t>(n));
      offset += n;
      *written += static_cast<size_t>(n);
    }
  }
  if (RetryOnEintr([&] { return ::ftruncate(fd(), offset); }) != 0) {
    return ErrnoError(errno, "SharedFileWriter: ftruncate", fd());
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
