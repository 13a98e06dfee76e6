// fd_passing.h
//
// Passing open file descriptors between processes over a Unix socket
// (SCM_RIGHTS): the receiver gets its own descriptors for the same open
// files, pipes, sockets, memfds or DMA buffers, whatever their names and
// permissions. A privileged broker opens a device and hands it to a
// sandboxed worker; a supervisor hands a listening socket to a restarted
// server.
//
// Example:
//
//   // Sender: one byte of data carries the descriptors.
//   const int fds[] = {pipe_read_end.get()};
//   absl::StatusOr<size_t> n = SendWithFds(socket, "F", fds);
//
//   // Receiver: fixed-size slots, no allocation.
//   char byte;
//   std::array<Fd, 4> received;
//   absl::StatusOr<ReceivedFds> got = ReceiveWithFds(
//       socket, absl::MakeSpan(&byte, 1), absl::MakeSpan(received));
//   // received[0 .. got->fd_count) now own the new descriptors.
//
// Any Unix socket; at least one byte of data with the descriptors; at most
// `kMaxFdsPerMessage` per message. Received descriptors are close-on-exec;
// more than there are slots fails with kResourceExhausted and closes what
// arrived. lib/socket's README.md has the rules in full.

#ifndef IPCBOX_SOCKET_FD_PASSING_H_
#define IPCBOX_SOCKET_FD_PASSING_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/socket.h"

namespace ipcbox {

inline constexpr size_t kMaxFdsPerMessage = 16;

// Sends `data` with duplicates of `fds` (which stay open and owned by the
// caller) attached, by `deadline`. Returns the bytes of `data` sent: all of
// it for datagram and seqpacket sockets, possibly fewer on a stream.
absl::StatusOr<size_t> SendWithFds(Socket& socket, absl::string_view data,
                                   absl::Span<const int> fds,
                                   Deadline deadline = Deadline::Infinite());

struct ReceivedFds {
  size_t bytes = 0;     // data bytes received into the buffer
  size_t fd_count = 0;  // slots [0, fd_count) hold new descriptors
};

// Receives data into `buf` and any descriptors that came with it into
// `fds` (at most `kMaxFdsPerMessage` slots are used), by `deadline`.
absl::StatusOr<ReceivedFds> ReceiveWithFds(
    Socket& socket, absl::Span<char> buf, absl::Span<Fd> fds,
    Deadline deadline = Deadline::Infinite());

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_FD_PASSING_H_
