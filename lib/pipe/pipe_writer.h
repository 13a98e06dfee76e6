// pipe_writer.h
//
// `PipeWriter` is the write end of a pipe, FIFO or child's stdin (`FromFd()`):
// it owns the descriptor and writes caller-owned bytes, blocking,
// non-blocking or with a deadline, without allocating. When the last reader
// is gone a write fails with an EPIPE status; SIGPIPE never kills the process
// (see scoped_sigpipe_block.h). Data of at most `kPipeAtomicWriteSize` bytes
// is written in one piece, never interleaved with other writers' data.
//
// Example:
//
//   absl::Status s =
//       writer.WriteAll(record, Deadline::After(absl::Seconds(1)));
//   if (IsTimedOut(s)) ...  // the reader is not keeping up
//   if (!s.ok()) ...        // EPIPE: the reader has gone away, or an error
//
// Writes may be partial (`WriteAll()` loops). Would-block and timed-out
// statuses carry no message and never allocate; EINTR is retried. A shared
// write end written with deadlines should be O_NONBLOCK: see lib/pipe's
// README.md for the outcomes, blocking mode and atomicity in full.
// Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_PIPE_PIPE_WRITER_H_
#define IPCBOX_PIPE_PIPE_WRITER_H_

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_end.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"

namespace ipcbox {

// The largest write that POSIX guarantees to be atomic on a pipe (PIPE_BUF;
// 4096 on Linux for every architecture).
inline constexpr size_t kPipeAtomicWriteSize = PIPE_BUF;

class PipeWriter : public PipeEnd {
 public:
  // An end that is not open; every operation on it fails with
  // kFailedPrecondition. Moved-from and closed writers are in this state.
  PipeWriter() : PipeEnd(Direction::kWrite) {}

  // Takes ownership of `fd`, the write end of a pipe or FIFO. Fails with
  // kInvalidArgument if `fd` is empty or not open for writing, or with
  // EBADF's status if it is not open; the descriptor is closed on failure.
  static absl::StatusOr<PipeWriter> FromFd(Fd fd);

  // One write. On a blocking end, waits until all of `data` is written
  // (unless a signal handler interrupts it part-way); on a non-blocking end,
  // writes what fits, or returns `WouldBlockError()` if nothing does.
  absl::StatusOr<size_t> Write(absl::string_view data) {
    if (ABSL_PREDICT_TRUE(ScopedSigpipeBlock::WriteNeedsNoGuard() && valid() &&
                          !data.empty())) {
      // SIGPIPE is blocked or ignored already: a bare write(2) is safe.
      const ssize_t n = ::write(fd().get(), data.data(), data.size());
      if (ABSL_PREDICT_TRUE(n >= 0)) return static_cast<size_t>(n);
      return FinishWrite(data, errno);
    }
    return GuardedWrite(data);
  }

  // Waits at most `timeout` (or until `deadline`) until the pipe has room,
  // then writes what fits, at least one byte; `TimedOutError()` if the pipe
  // stayed full. A zero timeout or `Deadline::Expired()` tries once.
  absl::StatusOr<size_t> WriteFor(absl::string_view data,
                                  absl::Duration timeout);
  absl::StatusOr<size_t> WriteUntil(absl::string_view data, Deadline deadline);

  // Writes all of `data`, over as many writes as it takes, by `deadline`;
  // on a non-blocking end too (it waits with poll()). OK means everything
  // was written; otherwise the status says why it stopped (timed out,
  // EPIPE, error) and `*bytes_written`, if given, says how much went into
  // the pipe before that.
  absl::Status WriteAll(absl::string_view data,
                        Deadline deadline = Deadline::Infinite(),
                        size_t* bytes_written = nullptr) {
    if (ABSL_PREDICT_TRUE(ScopedSigpipeBlock::WriteNeedsNoGuard() &&
                          deadline.is_infinite() && !nonblocking() && valid() &&
                          !data.empty())) {
      // A blocking write needing no guard: usually one call takes it all.
      const ssize_t n = ::write(fd().get(), data.data(), data.size());
      if (ABSL_PREDICT_TRUE(n == static_cast<ssize_t>(data.size()))) {
        if (bytes_written != nullptr) *bytes_written = data.size();
        return absl::OkStatus();
      }
      return FinishWriteAll(data, n, errno, bytes_written);
    }
    return GuardedWriteAll(data, deadline, bytes_written);
  }

 private:
  PipeWriter(Fd fd, bool nonblocking)
      : PipeEnd(std::move(fd), nonblocking, Direction::kWrite) {}

  // The paths of Write() and WriteAll() that are not a bare write(2) under a
  // scope held or SIGPIPE declared ignored: they open a scope of their own.
  absl::StatusOr<size_t> GuardedWrite(absl::string_view data);
  absl::Status GuardedWriteAll(absl::string_view data, Deadline deadline,
                               size_t* bytes_written);
  // After the inline write(2) of Write() failed with `err`.
  absl::StatusOr<size_t> FinishWrite(absl::string_view data, int err);
  // After the inline write(2) of WriteAll() returned `n` (`err` if n < 0).
  absl::Status FinishWriteAll(absl::string_view data, ssize_t n, int err,
                              size_t* bytes_written);
  // Writes data[done...] by `deadline`, under `sigpipe`.
  absl::Status WriteAllFrom(absl::string_view data, size_t done,
                            const Deadline& deadline, size_t* bytes_written,
                            ScopedSigpipeBlock& sigpipe);
  // The status of a write(2) that failed with `err`, under `sigpipe`.
  absl::Status WriteError(int err, ScopedSigpipeBlock& sigpipe) const;

  // One write(2) under `sigpipe`: blocks only if the end is blocking.
  absl::StatusOr<size_t> WriteOnce(absl::string_view data,
                                   ScopedSigpipeBlock& sigpipe);
  // At least one byte by `deadline`, under `sigpipe`.
  absl::StatusOr<size_t> WriteSome(absl::string_view data,
                                   const Deadline& deadline,
                                   ScopedSigpipeBlock& sigpipe);
};

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_PIPE_WRITER_H_
