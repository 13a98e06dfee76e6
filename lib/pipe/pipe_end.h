// pipe_end.h
//
// `PipeEnd` is what the two ends of a pipe or FIFO have in common: the
// descriptor they own, its blocking mode, and handing it on (`Release()`,
// `DuplicateOnto()`, `Close()`). `PipeReader` and `PipeWriter` are
// `PipeEnd`s that add reads and writes; code that only manages descriptors
// (plumbing a child's stdio, polling) can take either as a `PipeEnd&`.
//
// Example (a child between fork and exec):
//
//   void PlumbStdio(const PipeEnd& in, const PipeEnd& out) {
//     if (!in.DuplicateOnto(STDIN_FILENO).ok()) _exit(127);
//     if (!out.DuplicateOnto(STDOUT_FILENO).ok()) _exit(127);
//   }
//
// Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_PIPE_PIPE_END_H_
#define IPCBOX_PIPE_PIPE_END_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {

class PipeEnd {
 public:
  // The descriptor, still owned by this object: for poll(), or to hand to a
  // child process. Empty (-1) when not open.
  const Fd& fd() const { return fd_; }
  // True while this object holds a descriptor.
  bool valid() const { return fd_.valid(); }
  // Whether the end is in non-blocking mode (see README.md, Blocking mode).
  bool nonblocking() const { return nonblocking_; }
  // Sets or clears O_NONBLOCK. This changes the open file description, which
  // every copy of the descriptor (fork, dup) shares.
  absl::Status SetNonBlocking(bool nonblocking);
  // Gives up the descriptor (still FD_CLOEXEC) and leaves this end not open.
  Fd Release() { return std::move(fd_); }
  // Closes the descriptor now and reports close()'s error. Closing the last
  // read end makes writers get EPIPE; closing the last write end gives
  // readers end-of-stream once the pipe is drained. The end is not open
  // afterwards.
  absl::Status Close() { return fd_.Close(); }
  // dup2()s the descriptor onto `target_fd` (STDIN_FILENO, say) without
  // FD_CLOEXEC, so that it survives exec; this object keeps its own. Meant
  // for a child between fork and exec: on success it makes no call other
  // than dup2() or fcntl(), which are async-signal-safe.
  absl::Status DuplicateOnto(int target_fd) const;

 protected:
  enum class Direction : bool { kRead, kWrite };

  explicit PipeEnd(Direction direction) : direction_(direction) {}
  PipeEnd(Fd fd, bool nonblocking, Direction direction)
      : fd_(std::move(fd)), nonblocking_(nonblocking), direction_(direction) {}
  PipeEnd(PipeEnd&&) = default;
  PipeEnd& operator=(PipeEnd&&) = default;
  ~PipeEnd() = default;

  // Whether `fd` is open for `direction`'s access: its O_NONBLOCK flag if so;
  // kInvalidArgument (empty, wrong access) or EBADF's status otherwise.
  static absl::StatusOr<bool> CheckEnd(const Fd& fd, Direction direction);

  // OK if this end holds a descriptor; otherwise a kFailedPrecondition
  // status naming `operation` (allocates: it reports a caller bug).
  absl::Status CheckOpen(const char* operation) const {
    if (fd_.valid()) return absl::OkStatus();
    return NotOpenError(operation);
  }
  absl::Status NotOpenError(const char* operation) const;

 private:
  Fd fd_;
  bool nonblocking_ = false;
  Direction direction_;
};

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_PIPE_END_H_
