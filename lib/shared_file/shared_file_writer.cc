// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel) so that offsets are
// 64-bit on 32-bit ARM too.
#include "ipcbox/shared_file/shared_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/shared_file/internal/acquire.h"
#include "ipcbox/shared_file/internal/current_file.h"

namespace ipcbox {

namespace {

using shared_file_internal::WriteStep;

void Step(WriteStep step) {
  if (shared_file_internal::g_write_step_for_test != nullptr) {
    shared_file_internal::g_write_step_for_test(step);
  }
}

// Writers that find the file replaced under them follow it this many times
// before giving up (each time another writer replaced it meanwhile).
constexpr int kFollowAttempts = 8;

}  // namespace

absl::StatusOr<SharedFileWriter> SharedFileWriter::Open(
    absl::string_view path, const SharedFileWriterOptions& options) {
  LockFileOptions lock_options;
  lock_options.open_mode = options.open_mode;
  lock_options.access = LockFileAccess::kReadWrite;
  lock_options.permissions = options.permissions;
  absl::StatusOr<FcntlLock> lock = FcntlLock::Open(path, lock_options);
  if (!lock.ok()) return lock.status();
  return SharedFileWriter(*std::move(lock), path, options.permissions);
}

SharedFileWriter::SharedFileWriter(FcntlLock lock, absl::string_view path,
                                   Permissions permissions)
    : lock_(std::move(lock)),
      path_(path),
      staging_path_(shared_file_internal::StagingPath(path_)),
      permissions_(permissions) {}

absl::StatusOr<WriteResult> SharedFileWriter::Write(
    absl::Span<const absl::string_view> records, Deadline deadline) {
  for (int attempt = 0;; ++attempt) {
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
    absl::StatusOr<bool> current =
        shared_file_internal::IsCurrent(lock_, path_);
    if (current.ok() && *current) break;
    lock_.Unlock().IgnoreError();
    if (!current.ok()) return current.status();
    if (attempt == kFollowAttempts) {
      return absl::AbortedError(absl::StrCat(
          "SharedFileWriter: ", path_,
          " kept being replaced by other writers while locking it"));
    }
    if (absl::Status s = shared_file_internal::Reopen(lock_, path_, true);
        !s.ok()) {
      return s;
    }
  }
  size_t written = 0;
  const absl::Status wrote = Replace(records, &written);
  // After a replacement, lock_ is the new file, which was never locked;
  // closing the old descriptor released the old file's lock.
  const absl::Status unlocked = lock_.Unlock();
  if (!wrote.ok()) return wrote;
  if (!unlocked.ok()) return unlocked;
  WriteResult result;
  result.state = WriteState::kWritten;
  result.size = written;
  return result;
}

absl::Status SharedFileWriter::Replace(
    absl::Span<const absl::string_view> records, size_t* written) {
  // Whatever a killed writer left here is garbage: writers take turns under
  // the lock, so nobody else is using it now.
  if (::unlink(staging_path_.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, "SharedFileWriter: unlink", staging_path_);
  }
  Fd staged(RetryOnEintr([&] {
    return ::open(staging_path_.c_str(),
                  O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  if (!staged.valid()) {
    return ErrnoError(errno, "SharedFileWriter: open", staging_path_);
  }
  auto fail = [&](absl::Status status) {
    ::unlink(staging_path_.c_str());
    return status;
  };
  Step(shared_file_internal::kStepStagingCreated);
  off_t offset = 0;
  bool first = true;
  for (absl::string_view record : records) {
    while (!record.empty()) {
      const ssize_t n = RetryOnEintr([&] {
        return ::pwrite(staged.get(), record.data(), record.size(), offset);
      });
      if (n < 0) {
        return fail(
            ErrnoError(errno, "SharedFileWriter: pwrite", staging_path_));
      }
      record.remove_prefix(static_cast<size_t>(n));
      offset += n;
      *written += static_cast<size_t>(n);
    }
    if (first) Step(shared_file_internal::kStepFirstRecordWritten);
    first = false;
  }
  Step(shared_file_internal::kStepAllWritten);
  // The replacement keeps the mode the shared file has now (which its
  // creator chose); it is owned by this writer's uid.
  struct stat current;
  if (::fstat(lock_.fd(), &current) != 0) {
    return fail(ErrnoError(errno, "SharedFileWriter: fstat", path_));
  }
  absl::StatusOr<Permissions> mode =
      Permissions::FromMode(current.st_mode & 0777);
  if (absl::Status s = ApplyPermissions(
          staged.get(), mode.ok() ? *mode : permissions_, path_);
      !s.ok()) {
    return fail(s);
  }
  if (RetryOnEintr([&] { return ::fsync(staged.get()); }) != 0) {
    return fail(ErrnoError(errno, "SharedFileWriter: fsync", staging_path_));
  }
  Step(shared_file_internal::kStepSynced);
  if (::rename(staging_path_.c_str(), path_.c_str()) != 0) {
    return fail(ErrnoError(errno, "SharedFileWriter: rename", staging_path_));
  }
  Step(shared_file_internal::kStepRenamed);
  absl::StatusOr<FcntlLock> now = FcntlLock::Adopt(std::move(staged));
  if (!now.ok()) return now.status();
  lock_ = *std::move(now);
  return absl::OkStatus();
}

}  // namespace ipcbox
