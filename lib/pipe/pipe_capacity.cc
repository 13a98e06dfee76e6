#include "ipcbox/pipe/pipe_capacity.h"

#include <fcntl.h>

#include <cerrno>
#include <climits>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {

absl::StatusOr<size_t> PipeCapacity(const Fd& pipe_end) {
  const int size = ::fcntl(pipe_end.get(), F_GETPIPE_SZ);
  if (size < 0) return ErrnoError(errno, "fcntl(F_GETPIPE_SZ)", pipe_end.get());
  return static_cast<size_t>(size);
}

absl::StatusOr<size_t> SetPipeCapacity(const Fd& pipe_end, size_t bytes) {
  if (bytes > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SetPipeCapacity: ", bytes, " bytes is too large"));
  }
  const int size =
      ::fcntl(pipe_end.get(), F_SETPIPE_SZ, static_cast<int>(bytes));
  if (size < 0) return ErrnoError(errno, "fcntl(F_SETPIPE_SZ)", pipe_end.get());
  return static_cast<size_t>(size);
}

}  // namespace ipcbox
