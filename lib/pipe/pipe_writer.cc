#include "ipcbox/pipe/pipe_writer.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/core/wait_ready.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"

namespace ipcbox {

absl::StatusOr<PipeWriter> PipeWriter::FromFd(Fd fd) {
  absl::StatusOr<bool> nonblocking = CheckEnd(fd, Direction::kWrite);
  if (!nonblocking.ok()) return nonblocking.status();
  return PipeWriter(std::move(fd), *nonblocking);
}

absl::StatusOr<size_t> PipeWriter::GuardedWrite(absl::string_view data) {
  if (absl::Status s = CheckOpen("Write"); !s.ok()) return s;
  if (data.empty()) return 0;
  ScopedSigpipeBlock sigpipe;
  return WriteOnce(data, sigpipe);
}

absl::StatusOr<size_t> PipeWriter::FinishWrite(absl::string_view data,
                                               int err) {
  ScopedSigpipeBlock sigpipe;  // nested in the caller's: no system call
  // EINTR before anything was written: write again, as WriteOnce() would.
  if (err == EINTR) return WriteOnce(data, sigpipe);
  return WriteError(err, sigpipe);
}

absl::StatusOr<size_t> PipeWriter::WriteFor(absl::string_view data,
                                            absl::Duration timeout) {
  return WriteUntil(data, Deadline::After(timeout));
}

absl::StatusOr<size_t> PipeWriter::WriteUntil(absl::string_view data,
                                              Deadline deadline) {
  if (absl::Status s = CheckOpen("WriteUntil"); !s.ok()) return s;
  if (data.empty()) return 0;
  ScopedSigpipeBlock sigpipe;
  return WriteSome(data, deadline, sigpipe);
}

absl::Status PipeWriter::GuardedWriteAll(absl::string_view data,
                                         Deadline deadline,
                                         size_t* bytes_written) {
  absl::Status status = CheckOpen("WriteAll");
  if (!status.ok() || data.empty()) {
    if (bytes_written != nullptr) *bytes_written = 0;
    return status;
  }
  ScopedSigpipeBlock sigpipe;  // once for the whole loop
  return WriteAllFrom(data, 0, deadline, bytes_written, sigpipe);
}

absl::Status PipeWriter::FinishWriteAll(absl::string_view data, ssize_t n,
                                        int err, size_t* bytes_written) {
  ScopedSigpipeBlock sigpipe;  // nested in the caller's: no system call
  if (n < 0 && err != EINTR) {
    if (bytes_written != nullptr) *bytes_written = 0;
    return WriteError(err, sigpipe);
  }
  return WriteAllFrom(data, n < 0 ? 0 : static_cast<size_t>(n),
                      Deadline::Infinite(), bytes_written, sigpipe);
}

absl::Status PipeWriter::WriteAllFrom(absl::string_view data, size_t done,
                                      const Deadline& deadline,
                                      size_t* bytes_written,
                                      ScopedSigpipeBlock& sigpipe) {
  absl::Status status;
  while (done < data.size()) {
    absl::StatusOr<size_t> n = WriteSome(data.substr(done), deadline, sigpipe);
    if (!n.ok()) {
      status = n.status();
      break;
    }
    done += *n;
  }
  if (bytes_written != nullptr) *bytes_written = done;
  return status;
}

absl::StatusOr<size_t> PipeWriter::WriteSome(absl::string_view data,
                                             const Deadline& deadline,
                                             ScopedSigpipeBlock& sigpipe) {
  // A blocking write already waits forever: skip the poll().
  if (deadline.is_infinite() && !nonblocking()) return WriteOnce(data, sigpipe);
  // Non-blocking ends try first and wait only if the pipe is full. Blocking
  // ends wait first, then write no more than one free page is sure to take.
  bool wait_first = !nonblocking();
  const absl::string_view chunk =
      nonblocking()
          ? data
          : data.substr(0, std::min(data.size(), kPipeAtomicWriteSize));
  for (;;) {
    if (wait_first) {
      absl::Status ready = WaitReady(fd().get(), POLLOUT, deadline);
      if (!ready.ok()) return ready;
    }
    wait_first = true;
    absl::StatusOr<size_t> n = WriteOnce(chunk, sigpipe);
    if (!IsWouldBlock(n.status())) return n;
  }
}

absl::StatusOr<size_t> PipeWriter::WriteOnce(absl::string_view data,
                                             ScopedSigpipeBlock& sigpipe) {
  const ssize_t n = RetryOnEintr(
      [&] { return ::write(fd().get(), data.data(), data.size()); });
  if (n >= 0) return static_cast<size_t>(n);
  return WriteError(errno, sigpipe);
}

absl::Status PipeWriter::WriteError(int err,
                                    ScopedSigpipeBlock& sigpipe) const {
  if (err == EAGAIN || err == EWOULDBLOCK) return WouldBlockError();
  if (err == EPIPE) sigpipe.DiscardRaisedSigpipe();
  return ErrnoError(err, "write", fd().get());
}

}  // namespace ipcbox
