// socket_io.h
//
// Internal to lib/socket: the send and receive system calls under every
// socket type, with ipcbox's rules applied once:
//   - every send has MSG_NOSIGNAL, so a closed peer is EPIPE, not SIGPIPE;
//   - EINTR is retried; EAGAIN is the code-only `WouldBlockError()`;
//   - timed calls try with MSG_DONTWAIT first and poll() only when the
//     socket is not ready, so they never block past the deadline whatever
//     the descriptor's blocking mode, and cost one system call when data
//     (or room) is already there;
//   - nothing allocates unless a real error is reported.
//
// Example (`StreamSocket::ReceiveUntil()`: try, and poll only if not ready):
//
//   absl::StatusOr<size_t> n =
//       RetryUntil(fd, nonblocking(), POLLIN, deadline, [&](int flags) {
//         return ReceiveOnce(fd, buf, flags, /*from=*/nullptr);
//       });
//   if (n.ok() && *n == 0) return EndOfStreamError();

#ifndef IPCBOX_SOCKET_INTERNAL_SOCKET_IO_H_
#define IPCBOX_SOCKET_INTERNAL_SOCKET_IO_H_

#include <poll.h>
#include <sys/socket.h>

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/wait_ready.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace socket_internal {

// One send()/sendto() of `data` with MSG_NOSIGNAL | `flags`. `to` may be
// null (connected socket).
absl::StatusOr<size_t> SendOnce(int fd, absl::string_view data, int flags,
                                const SocketAddress* to);

// One recv()/recvfrom() into `buf` with `flags`. Returns what the kernel
// returned: 0 may mean end-of-stream or an empty datagram (the caller
// knows which); with MSG_TRUNC on a message socket it is the message's real
// length, which may exceed `buf.size()`. `from`, if given, receives the
// sender's address.
absl::StatusOr<size_t> ReceiveOnce(int fd, absl::Span<char> buf, int flags,
                                   SocketAddress* from);

// One receive of a whole message (datagram or seqpacket record): the
// message's length, or a kResourceExhausted status if it did not fit in
// `buf` (the rest of it is gone: the kernel discards it).
absl::StatusOr<size_t> ReceiveMessageOnce(int fd, absl::Span<char> buf,
                                          int flags, SocketAddress* from);

// Calls `attempt(flags)` until it does not report would-block, waiting
// for `events` in between, by `deadline`. A blocking socket with no
// deadline makes one blocking attempt. `attempt` returns
// absl::StatusOr<size_t>.
template <typename Attempt>
absl::StatusOr<size_t> RetryUntil(int fd, bool nonblocking, short events,
                                  const Deadline& deadline, Attempt attempt) {
  if (deadline.is_infinite() && !nonblocking) return attempt(0);
  for (;;) {
    absl::StatusOr<size_t> result = attempt(MSG_DONTWAIT);
    if (!IsWouldBlock(result.status())) return result;
    absl::Status ready = WaitReady(fd, events, deadline);
    if (!ready.ok()) return ready;
  }
}

// "operation on an empty buffer": receiving into nothing would return 0,
// which looks like end-of-stream. Allocates (a caller bug).
absl::Status EmptyBufferError(const char* type_name, const char* operation);

}  // namespace socket_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_INTERNAL_SOCKET_IO_H_
