#include "ipcbox/core/file_space.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {

absl::Status CheckMappableSize(size_t size, absl::string_view kind,
                               absl::string_view name) {
  if (size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("size 0 for ", kind, " ", QuoteForMessage(name),
                     ": it must hold at least one byte"));
  }
  constexpr uintmax_t kMaxOffset = std::numeric_limits<off_t>::max();
  if (static_cast<uintmax_t>(size) > kMaxOffset) {
    return absl::InvalidArgumentError(
        absl::StrCat("size ", size, " for ", kind, " ", QuoteForMessage(name),
                     " is larger than the largest file size "
                     "this build can express (",
                     kMaxOffset, ")"));
  }
  return absl::OkStatus();
}

absl::Status ReserveSpace(int fd, size_t size, absl::string_view object,
                          absl::string_view where) {
  // posix_fallocate() returns the error number instead of setting errno, and
  // may be interrupted by a signal part way through a large reservation.
  int err;
  do {
    err = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (err == EINTR);
  switch (err) {
    case 0:
      return absl::OkStatus();
    case ENOSPC:
      return absl::ResourceExhaustedError(absl::StrCat(
          "posix_fallocate(", QuoteForMessage(object),
          "): not enough space in ", where, " for ", size, " bytes"));
    case EFBIG:
      return absl::ResourceExhaustedError(
          absl::StrCat("posix_fallocate(", QuoteForMessage(object), "): ", size,
                       " bytes is more than a file in ", where, " may hold"));
    case EOPNOTSUPP:
      return absl::UnimplementedError(absl::StrCat(
          "posix_fallocate(", QuoteForMessage(object), "): ", where,
          " cannot reserve space, so writes could fail later with SIGBUS"));
    default:
      return ErrnoError(err, "posix_fallocate", object);
  }
}

absl::StatusOr<ObjectStat> StatObject(int fd, absl::string_view object) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, "fstat", object);
  ObjectStat result;
  result.size = static_cast<uint64_t>(st.st_size);
  result.regular = S_ISREG(st.st_mode);
  return result;
}

absl::Status CheckFits(size_t wanted, uint64_t actual, absl::string_view what) {
  if (static_cast<uint64_t>(wanted) <= actual) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      what, " holds ", actual, " bytes; ", wanted,
      " were asked for (mapping past the end would raise SIGBUS)"));
}

}  // namespace ipcbox
