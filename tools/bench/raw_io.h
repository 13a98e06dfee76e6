// The raw side's read and write loops, as a program without ipcbox writes
// them: retry on EINTR, carry on after a short transfer, stop at end of
// stream. Shared by the pipe, FIFO and socket benchmarks so that each
// compares ipcbox against the same hand-written code.
//
//   char buf[64];
//   if (absl::Status s = RawWriteAll(fd, buf, sizeof(buf)); !s.ok()) ...
//   if (absl::Status s = RawReadFull(fd, buf, sizeof(buf)); !s.ok()) ...
//
// Inline, so that the loops sit in the timed batch as they would in a
// program that wrote them there.

#ifndef IPCBOX_TOOLS_BENCH_RAW_IO_H_
#define IPCBOX_TOOLS_BENCH_RAW_IO_H_

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace ipcbox::bench {

// write(2) until all of `size` bytes are written.
inline absl::Status RawWriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "write");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// read(2) until all of `size` bytes are read; end of stream first is an
// error.
inline absl::Status RawReadFull(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "read");
    if (n == 0) return absl::UnavailableError("read: end of stream");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Reads and discards `bytes` bytes in reads of up to `buf.size()`.
inline absl::Status RawDrain(int fd, absl::Span<char> buf, uint64_t bytes) {
  while (bytes > 0) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "read");
    if (n == 0) return absl::UnavailableError("read: end of stream");
    bytes -= static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

// send(2) with MSG_NOSIGNAL until all of `size` bytes are sent. On a
// non-blocking socket (a server's), EAGAIN waits up to a second for room
// and tries again.
inline absl::Status RawSendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      struct pollfd pfd = {fd, POLLOUT, 0};
      ::poll(&pfd, 1, 1000);
      continue;
    }
    if (n < 0) return absl::ErrnoToStatus(errno, "send");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// recv(2) until all of `size` bytes are received; end of stream first is
// an error.
inline absl::Status RawReceiveFull(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "recv");
    if (n == 0) return absl::UnavailableError("end of stream");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_RAW_IO_H_
