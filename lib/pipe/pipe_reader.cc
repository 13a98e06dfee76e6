#include "ipcbox/pipe/pipe_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/core/wait_ready.h"

namespace ipcbox {

absl::StatusOr<PipeReader> PipeReader::FromFd(Fd fd) {
  absl::StatusOr<bool> nonblocking = CheckEnd(fd, Direction::kRead);
  if (!nonblocking.ok()) return nonblocking.status();
  return PipeReader(std::move(fd), *nonblocking);
}

absl::StatusOr<size_t> PipeReader::CheckedRead(absl::Span<char> buf) {
  if (absl::Status s = CheckReadable(buf, "Read"); !s.ok()) return s;
  return ReadOnce(buf);
}

absl::StatusOr<size_t> PipeReader::FinishRead(absl::Span<char> buf, ssize_t n,
                                              int err) {
  if (n < 0 && err == EINTR) return ReadOnce(buf);
  return ReadError(n, err);
}

absl::StatusOr<size_t> PipeReader::ReadFor(absl::Span<char> buf,
                                           absl::Duration timeout) {
  return ReadUntil(buf, Deadline::After(timeout));
}

absl::StatusOr<size_t> PipeReader::ReadUntil(absl::Span<char> buf,
                                             Deadline deadline) {
  if (absl::Status s = CheckReadable(buf, "ReadUntil"); !s.ok()) return s;
  // A blocking read already waits forever: skip the poll().
  if (deadline.is_infinite() && !nonblocking()) return ReadOnce(buf);
  // Non-blocking ends try first and wait only if the pipe is empty, which
  // saves the poll() while data keeps coming. Blocking ends must wait first:
  // their read() would not return at the deadline.
  bool wait_first = !nonblocking();
  for (;;) {
    if (wait_first) {
      absl::Status ready = WaitReady(fd().get(), POLLIN, deadline);
      if (!ready.ok()) return ready;
    }
    wait_first = true;
    absl::StatusOr<size_t> n = ReadOnce(buf);
    if (!IsWouldBlock(n.status())) return n;
  }
}

absl::Status PipeReader::FinishReadFull(absl::Span<char> buf, ssize_t n,
                                        int err, size_t* bytes_read) {
  if (n > 0) {
    return ReadFullFrom(buf, static_cast<size_t>(n), absl::OkStatus(),
                        Deadline::Infinite(), bytes_read);
  }
  // EINTR before any byte: read again, as ReadOnce() would.
  absl::Status status =
      n < 0 && err == EINTR ? absl::OkStatus() : ReadError(n, err);
  return ReadFullFrom(buf, 0, std::move(status), Deadline::Infinite(),
                      bytes_read);
}

absl::Status PipeReader::ReadFullFrom(absl::Span<char> buf, size_t done,
                                      absl::Status status,
                                      const Deadline& deadline,
                                      size_t* bytes_read) {
  while (status.ok() && done < buf.size()) {
    absl::StatusOr<size_t> n = ReadUntil(buf.subspan(done), deadline);
    if (n.ok()) {
      done += *n;
    } else {
      status = n.status();
    }
  }
  if (bytes_read != nullptr) *bytes_read = done;
  if (IsEndOfStream(status) && done > 0) {
    // The caller asked for a whole record and got part of one: that is data
    // lost, not a clean end, so it is kDataLoss (not `IsEndOfStream()`).
    return absl::DataLossError(absl::StrCat(
        "PipeReader::ReadFull(fd ", fd().get(), "): end of stream after ", done,
        " of ", buf.size(), " bytes"));
  }
  return status;
}

absl::StatusOr<size_t> PipeReader::ReadOnce(absl::Span<char> buf) {
  const ssize_t n =
      RetryOnEintr([&] { return ::read(fd().get(), buf.data(), buf.size()); });
  if (n > 0) return static_cast<size_t>(n);
  return ReadError(n, errno);
}

absl::Status PipeReader::ReadError(ssize_t n, int err) const {
  if (n == 0) return EndOfStreamError();
  if (err == EAGAIN || err == EWOULDBLOCK) return WouldBlockError();
  return ErrnoError(err, "read", fd().get());
}

absl::Status PipeReader::CheckReadable(absl::Span<char> buf,
                                       const char* operation) const {
  if (absl::Status s = CheckOpen(operation); !s.ok()) return s;
  if (buf.empty()) {
    // read(2) would return 0, which looks like end-of-stream.
    return absl::InvalidArgumentError(
        absl::StrCat("PipeReader::", operation, ": empty buffer"));
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
