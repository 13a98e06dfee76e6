// pipe_reader.h
//
// `PipeReader` is the read end of a pipe, FIFO or child's stdout (`FromFd()`):
// it owns the descriptor and reads into caller-owned buffers, blocking,
// non-blocking or with a deadline, without allocating.
//
// Example:
//
//   char buf[4096];
//   for (;;) {
//     absl::StatusOr<size_t> n =
//         reader.ReadFor(absl::MakeSpan(buf), absl::Seconds(2));
//     if (IsEndOfStream(n.status())) break;  // every writer has closed
//     if (IsTimedOut(n.status())) continue;  // nothing for 2 s
//     if (!n.ok()) return n.status();
//     Consume(absl::string_view(buf, *n));
//   }
//
// A read returns what is there, possibly less than asked (`ReadFull()`
// loops). End-of-stream, would-block and timed-out statuses carry no message
// and never allocate; EINTR is retried. A shared read end read with
// deadlines should be O_NONBLOCK: see lib/pipe's README.md for the outcomes
// and blocking mode in full. Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_PIPE_PIPE_READER_H_
#define IPCBOX_PIPE_PIPE_READER_H_

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_end.h"

namespace ipcbox {

class PipeReader : public PipeEnd {
 public:
  // An end that is not open; every operation on it fails with
  // kFailedPrecondition. Moved-from and closed readers are in this state.
  PipeReader() : PipeEnd(Direction::kRead) {}

  // Takes ownership of `fd`, the read end of a pipe or FIFO, for instance
  // one inherited across exec. Fails with kInvalidArgument if `fd` is empty
  // or not open for reading, or with EBADF's status if it is not open; the
  // descriptor is closed on failure.
  static absl::StatusOr<PipeReader> FromFd(Fd fd);

  // Reads what is available, up to `buf.size()` bytes. On a blocking end,
  // waits until at least one byte or end-of-stream; on a non-blocking end,
  // returns `WouldBlockError()` at once if the pipe is empty.
  absl::StatusOr<size_t> Read(absl::Span<char> buf) {
    if (ABSL_PREDICT_TRUE(valid() && !buf.empty())) {
      const ssize_t n = ::read(fd().get(), buf.data(), buf.size());
      if (ABSL_PREDICT_TRUE(n > 0)) return static_cast<size_t>(n);
      return FinishRead(buf, n, errno);
    }
    return CheckedRead(buf);
  }

  // Like `Read()`, but waits at most `timeout` (or until `deadline`) for data
  // on either kind of end, then returns `TimedOutError()`. A zero timeout
  // or `Deadline::Expired()` checks once without waiting.
  absl::StatusOr<size_t> ReadFor(absl::Span<char> buf, absl::Duration timeout);
  absl::StatusOr<size_t> ReadUntil(absl::Span<char> buf, Deadline deadline);

  // Reads exactly `buf.size()` bytes, over as many reads as it takes, by
  // `deadline`; on a non-blocking end too (it waits with poll()). OK means
  // the buffer is full. Otherwise the status says why it stopped:
  //   - `IsEndOfStream()`: the stream ended before the first byte, a clean
  //     end at a record boundary;
  //   - kDataLoss ("... after N of M bytes"): the stream
  //     ended part-way through, i.e. a truncated record, which is an error;
  //   - `IsTimedOut()`, or another error.
  // Either way `*bytes_read`, if given, is how many bytes arrived in `buf`.
  absl::Status ReadFull(absl::Span<char> buf,
                        Deadline deadline = Deadline::Infinite(),
                        size_t* bytes_read = nullptr) {
    if (ABSL_PREDICT_TRUE(deadline.is_infinite() && !nonblocking() && valid() &&
                          !buf.empty())) {
      // A blocking end: usually one read(2) fills the buffer.
      const ssize_t n = ::read(fd().get(), buf.data(), buf.size());
      if (ABSL_PREDICT_TRUE(n == static_cast<ssize_t>(buf.size()))) {
        if (bytes_read != nullptr) *bytes_read = buf.size();
        return absl::OkStatus();
      }
      return FinishReadFull(buf, n, errno, bytes_read);
    }
    return ReadFullFrom(buf, 0, CheckOpen("ReadFull"), deadline, bytes_read);
  }

 private:
  PipeReader(Fd fd, bool nonblocking)
      : PipeEnd(std::move(fd), nonblocking, Direction::kRead) {}

  // One read(2): blocks only if the end is blocking.
  absl::StatusOr<size_t> ReadOnce(absl::Span<char> buf);
  // The status of a read(2) that returned `n` <= 0 (`err` if n < 0).
  absl::Status ReadError(ssize_t n, int err) const;
  // Read() when the inline read(2) cannot be made: the checks, with messages.
  absl::StatusOr<size_t> CheckedRead(absl::Span<char> buf);
  // After the inline read(2) of Read() returned `n` <= 0.
  absl::StatusOr<size_t> FinishRead(absl::Span<char> buf, ssize_t n, int err);
  // After the inline read(2) of ReadFull() returned `n` (`err` if n < 0).
  absl::Status FinishReadFull(absl::Span<char> buf, ssize_t n, int err,
                              size_t* bytes_read);
  // Fills buf[done...] by `deadline`, unless `status` is already an error.
  absl::Status ReadFullFrom(absl::Span<char> buf, size_t done,
                            absl::Status status, const Deadline& deadline,
                            size_t* bytes_read);
  absl::Status CheckReadable(absl::Span<char> buf, const char* operation) const;
};

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_PIPE_READER_H_
