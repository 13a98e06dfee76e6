// pipe_end.h
//
// Internal to lib/pipe: what `PipeReader` and `PipeWriter` do alike with the
// descriptor of their end of a pipe-like object (pipe, FIFO, or anything
// else with the same read/write semantics): adopting it, switching its
// blocking mode, duplicating it for a child, and naming the end in errors.
// Each type holds its own `Fd` and non-blocking flag, so its public header
// needs nothing from here.
//
// Example (`PipeReader::FromFd()`):
//
//   absl::StatusOr<bool> nonblocking = CheckEnd(fd, Direction::kRead);
//   if (!nonblocking.ok()) return nonblocking.status();  // not a read end
//   return PipeReader(std::move(fd), *nonblocking);

#ifndef IPCBOX_PIPE_INTERNAL_PIPE_END_H_
#define IPCBOX_PIPE_INTERNAL_PIPE_END_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace pipe_internal {

enum class Direction { kRead, kWrite };

// Checks that `fd` is open, and open in `direction`; returns its O_NONBLOCK
// flag. The caller closes `fd` on failure (by letting it go).
absl::StatusOr<bool> CheckEnd(const Fd& fd, Direction direction);

// Sets or clears O_NONBLOCK on the open end `fd`.
absl::Status SetEndNonBlocking(const Fd& fd, Direction direction,
                               bool nonblocking);

// dup2()s the open end `fd` onto `target_fd` without FD_CLOEXEC; on success
// makes no call other than dup2() or fcntl() (async-signal-safe).
absl::Status DuplicateEndOnto(const Fd& fd, Direction direction, int target_fd);

// The kFailedPrecondition status of `operation` on an end that is not open
// (allocates: it reports a caller bug).
absl::Status EndNotOpenError(Direction direction, const char* operation);

}  // namespace pipe_internal
}  // namespace ipcbox

#endif  // IPCBOX_PIPE_INTERNAL_PIPE_END_H_
