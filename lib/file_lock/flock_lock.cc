#include "ipcbox/file_lock/flock_lock.h"

#include <sys/file.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/internal/lock_call_error.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {
namespace {

constexpr absl::string_view kTypeName = "FlockLock";

int Operation(LockType type) {
  return type == LockType::kShared ? LOCK_SH : LOCK_EX;
}

const char* OperationName(int operation) {
  switch (operation) {
    case LOCK_SH:
      return "LOCK_SH";
    case LOCK_EX:
      return "LOCK_EX";
    case LOCK_SH | LOCK_NB:
      return "LOCK_SH|LOCK_NB";
    case LOCK_EX | LOCK_NB:
      return "LOCK_EX|LOCK_NB";
    default:
      return "LOCK_UN";
  }
}

absl::Status FlockError(int err, int operation, int fd) {
  return file_lock_internal::LockCallError(
      err, absl::StrCat("flock(", OperationName(operation), ")"), fd, kTypeName,
      /*needs_read=*/false, /*needs_write=*/false);
}

}  // namespace

absl::StatusOr<FlockLock> FlockLock::Open(absl::string_view path,
                                          const LockFileOptions& options) {
  absl::StatusOr<LockFile> file = LockFile::Open(path, options, kTypeName);
  if (!file.ok()) return file.status();
  return FlockLock(*std::move(file));
}

absl::StatusOr<FlockLock> FlockLock::Adopt(Fd fd) {
  absl::StatusOr<LockFile> file = LockFile::Adopt(std::move(fd), kTypeName);
  if (!file.ok()) return file.status();
  return FlockLock(*std::move(file));
}

absl::Status FlockLock::Lock(LockType type) {
  const int operation = Operation(type);
  if (RetryOnEintr([&] { return ::flock(fd(), operation); }) == 0) {
    return absl::OkStatus();
  }
  return FlockError(errno, operation, fd());
}

absl::Status FlockLock::TryLock(LockType type) {
  const int operation = Operation(type) | LOCK_NB;
  if (RetryOnEintr([&] { return ::flock(fd(), operation); }) == 0) {
    return absl::OkStatus();
  }
  const int err = errno;
  if (err == EWOULDBLOCK) return WouldBlockError();
  return FlockError(err, operation, fd());
}

absl::Status FlockLock::LockFor(LockType type, absl::Duration timeout) {
  absl::Status tried = TryLock(type);
  if (!IsWouldBlock(tried)) return tried;
  // Taken: only now is the clock read (an uncontended timed lock is one
  // flock(LOCK_NB), like TryLock()).
  return WaitAfterConflict(type, Deadline::After(timeout));
}

absl::Status FlockLock::LockUntil(LockType type, Deadline deadline) {
  absl::Status tried = TryLock(type);
  if (!IsWouldBlock(tried)) return tried;
  return WaitAfterConflict(type, deadline);
}

absl::Status FlockLock::WaitAfterConflict(LockType type, Deadline deadline) {
  if (deadline.is_infinite()) return Lock(type);
  // flock() has no timed form: try again, backing off, until the deadline
  // (lib/core's README.md, "Waiting with a deadline").
  return RetryUntil(deadline, [&] { return TryLock(type); });
}

absl::Status FlockLock::Unlock() {
  if (RetryOnEintr([&] { return ::flock(fd(), LOCK_UN); }) == 0) {
    return absl::OkStatus();
  }
  return FlockError(errno, LOCK_UN, fd());
}

}  // namespace ipcbox
