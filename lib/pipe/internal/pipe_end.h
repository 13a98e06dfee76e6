// pipe_end.h
//
// Internal to lib/pipe: what `PipeReader` and `PipeWriter` have in common,
// i.e. owning the descriptor of one end of a pipe-like object (pipe, FIFO,
// or anything else with the same read/write semantics) and remembering
// whether it is in non-blocking mode, which decides how timed operations
// avoid blocking past their deadline.
//
// Example (`PipeReader::FromFd()`; `PipeReader` inherits it privately):
//
//   absl::StatusOr<PipeEnd> end =
//       PipeEnd::Adopt(std::move(fd), Direction::kRead);
//   if (!end.ok()) return end.status();  // not open, or open for writing
//   return PipeReader(*std::move(end));  // which re-exports fd(), Close()...

#ifndef IPCBOX_PIPE_INTERNAL_PIPE_END_H_
#define IPCBOX_PIPE_INTERNAL_PIPE_END_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace pipe_internal {

enum class Direction { kRead, kWrite };

class PipeEnd {
 public:
  PipeEnd() = default;

  // Takes ownership of `fd` after checking that it is open and open in
  // `direction`; reads its O_NONBLOCK flag. On failure `fd` is closed.
  static absl::StatusOr<PipeEnd> Adopt(Fd fd, Direction direction);

  PipeEnd(PipeEnd&&) = default;
  PipeEnd& operator=(PipeEnd&&) = default;

  const Fd& fd() const { return fd_; }
  bool valid() const { return fd_.valid(); }
  bool nonblocking() const { return nonblocking_; }

  absl::Status SetNonBlocking(bool nonblocking);
  Fd Release();
  absl::Status Close();
  absl::Status DuplicateOnto(int target_fd) const;

  // OK if this end holds a descriptor; otherwise a kFailedPrecondition
  // status naming `operation` (allocates: it reports a caller bug).
  absl::Status CheckOpen(const char* operation) const {
    if (fd_.valid()) return absl::OkStatus();
    return NotOpenError(operation);
  }

 private:
  PipeEnd(Fd fd, Direction direction, bool nonblocking)
      : fd_(std::move(fd)), direction_(direction), nonblocking_(nonblocking) {}

  absl::Status NotOpenError(const char* operation) const;

  Fd fd_;
  Direction direction_ = Direction::kRead;
  bool nonblocking_ = false;
};

}  // namespace pipe_internal
}  // namespace ipcbox

#endif  // IPCBOX_PIPE_INTERNAL_PIPE_END_H_
