// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel) so that offsets and
// sizes are 64-bit on 32-bit ARM too.
#include "ipcbox/shared_file/shared_file_reader.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/shared_file/internal/acquire.h"
#include "ipcbox/shared_file/internal/current_file.h"

namespace ipcbox {
namespace {

// One pread(), EINTR retried: bytes read, 0 at end of file, -1 with errno.
ssize_t ReadAt(int fd, absl::Span<char> buf, off_t offset) {
  return RetryOnEintr(
      [&] { return ::pread(fd, buf.data(), buf.size(), offset); });
}

ReadResult Result(ReadState state, size_t size) {
  ReadResult result;
  result.state = state;
  result.size = size;
  return result;
}

}  // namespace

absl::StatusOr<SharedFileReader> SharedFileReader::Open(
    absl::string_view path) {
  LockFileOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  options.access = LockFileAccess::kReadOnly;
  absl::StatusOr<FcntlLock> lock = FcntlLock::Open(path, options);
  if (!lock.ok()) return lock.status();
  return SharedFileReader(*std::move(lock), path);
}

absl::StatusOr<std::optional<ReadResult>> SharedFileReader::LockForReading(
    Deadline deadline) {
  // Writers rename complete new files over the path: read the one it names
  // now. (If the path is gone or odd, the file already open is still a
  // complete one: read that.)
  absl::StatusOr<bool> current = shared_file_internal::IsCurrent(lock_, path_);
  if (current.ok() && !*current) {
    if (absl::Status s = shared_file_internal::Reopen(lock_, path_, false);
        !s.ok() && !absl::IsNotFound(s)) {
      return s;
    }
  }
  absl::StatusOr<shared_file_internal::Acquisition> acquired =
      shared_file_internal::AcquireOrFindHolder(lock_, LockType::kShared,
                                                deadline);
  if (!acquired.ok()) return acquired.status();
  if (acquired->acquired) return std::optional<ReadResult>();
  ReadResult locked = Result(ReadState::kLocked, 0);
  locked.holder = acquired->holder;
  return std::optional<ReadResult>(locked);
}

absl::StatusOr<int64_t> SharedFileReader::Size() const {
  struct stat st;
  if (::fstat(fd(), &st) != 0) {
    return ErrnoError(errno, "SharedFileReader: fstat", fd());
  }
  return static_cast<int64_t>(st.st_size);
}

absl::StatusOr<ReadResult> SharedFileReader::Read(absl::Span<char> buffer,
                                                  Deadline deadline) {
  absl::StatusOr<std::optional<ReadResult>> locked = LockForReading(deadline);
  if (!locked.ok()) return locked.status();
  if (locked->has_value()) return **locked;

  absl::StatusOr<ReadResult> result = [&]() -> absl::StatusOr<ReadResult> {
    absl::StatusOr<int64_t> size = Size();
    if (!size.ok()) return size.status();
    if (*size == 0) return Result(ReadState::kEmpty, 0);
    if (static_cast<uint64_t>(*size) > buffer.size()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("SharedFileReader::Read: the file holds ", *size,
                       " bytes, more than the buffer's ", buffer.size()));
    }
    size_t total = 0;
    for (;;) {
      const ssize_t n =
          ReadAt(fd(), buffer.subspan(total), static_cast<off_t>(total));
      if (n < 0) return ErrnoError(errno, "SharedFileReader: pread", fd());
      if (n == 0 || total + static_cast<size_t>(n) == buffer.size()) {
        total += static_cast<size_t>(n);
        break;
      }
      total += static_cast<size_t>(n);
    }
    return Result(total == 0 ? ReadState::kEmpty : ReadState::kData, total);
  }();
  const absl::Status unlocked = lock_.Unlock();
  if (result.ok() && !unlocked.ok()) return unlocked;
  return result;
}

absl::StatusOr<ReadResult> SharedFileReader::ReadChunks(
    absl::Span<char> scratch,
    absl::FunctionRef<absl::Status(absl::string_view chunk)> sink,
    Deadline deadline) {
  if (scratch.empty()) {
    return absl::InvalidArgumentError(
        "SharedFileReader::ReadChunks: the scratch buffer is empty");
  }
  absl::StatusOr<std::optional<ReadResult>> locked = LockForReading(deadline);
  if (!locked.ok()) return locked.status();
  if (locked->has_value()) return **locked;

  absl::StatusOr<ReadResult> result = [&]() -> absl::StatusOr<ReadResult> {
    size_t total = 0;
    for (;;) {
      const ssize_t n = ReadAt(fd(), scratch, static_cast<off_t>(total));
      if (n < 0) return ErrnoError(errno, "SharedFileReader: pread", fd());
      if (n == 0) break;
      total += static_cast<size_t>(n);
      const absl::Status sunk =
          sink(absl::string_view(scratch.data(), static_cast<size_t>(n)));
      if (!sunk.ok()) return sunk;
    }
    return Result(total == 0 ? ReadState::kEmpty : ReadState::kData, total);
  }();
  const absl::Status unlocked = lock_.Unlock();
  if (result.ok() && !unlocked.ok()) return unlocked;
  return result;
}

}  // namespace ipcbox
