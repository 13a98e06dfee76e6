// seqpacket_socket.h
//
// `SeqPacketSocket` is one end of a connected Unix SOCK_SEQPACKET socket:
// a connection, like a stream (ordered, reliable, end-of-stream when the
// peer closes), that carries whole messages, like datagrams. Each send is
// one message and each receive returns exactly one, never a part of one and
// never two glued together: no framing to write. The natural choice for a
// local request/response protocol.
//
// Example:
//
//   absl::StatusOr<SeqPacketSocket> s =
//       SeqPacketSocket::Connect(*SocketAddress::UnixAbstract("app"),
//                                Deadline::After(absl::Seconds(1)));
//   if (absl::Status st = s->Send("status?"); !st.ok()) return st;
//   char reply[512];
//   absl::StatusOr<size_t> n = s->Receive(absl::MakeSpan(reply));
//
// Outcomes are those of stream_socket.h, plus: a message larger than the
// receive buffer is not cut silently: the receive fails with
// kResourceExhausted naming both sizes (the kernel has discarded the rest
// of that message; the next receive returns the next message). A message
// is sent whole or not at all (EMSGSIZE if it can never fit the socket's
// send buffer). Empty messages are refused (InvalidArgument): the receiver
// could not tell one from end-of-stream.
//
// Nothing here allocates except the reports of real errors (truncation
// included). Not thread-safe for concurrent use of one object.

#ifndef IPCBOX_SOCKET_SEQPACKET_SOCKET_H_
#define IPCBOX_SOCKET_SEQPACKET_SOCKET_H_

#include <sys/socket.h>

#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/socket.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {

class SeqPacketSocket : public Socket {
 public:
  static constexpr int kType = SOCK_SEQPACKET;

  // Not open; every operation fails with kFailedPrecondition.
  SeqPacketSocket() = default;

  // Connects to a Unix SOCK_SEQPACKET listener by `deadline` (waiting for
  // room in a full backlog); `TimedOutError()` when the deadline passes.
  // The socket is non-blocking if `nonblocking`.
  static absl::StatusOr<SeqPacketSocket> Connect(
      const SocketAddress& address, Deadline deadline = Deadline::Infinite(),
      bool nonblocking = false);

  // Adopts a connected SOCK_SEQPACKET socket; `fd` is closed on failure.
  static absl::StatusOr<SeqPacketSocket> FromFd(Fd fd);

  SeqPacketSocket(SeqPacketSocket&&) = default;
  SeqPacketSocket& operator=(SeqPacketSocket&&) = default;

  // Sends `message` as one message. OK means all of it went; there are no
  // partial sends. Blocking: waits for room; non-blocking:
  // `WouldBlockError()` when the peer's queue is full.
  absl::Status Send(absl::string_view message);
  absl::Status SendUntil(absl::string_view message, Deadline deadline);
  absl::Status SendFor(absl::string_view message, absl::Duration timeout);

  // Receives one message into `buf` and returns its length, which is the
  // whole message; see above for one that does not fit.
  absl::StatusOr<size_t> Receive(absl::Span<char> buf);
  absl::StatusOr<size_t> ReceiveUntil(absl::Span<char> buf, Deadline deadline);
  absl::StatusOr<size_t> ReceiveFor(absl::Span<char> buf,
                                    absl::Duration timeout);

  using Socket::Shutdown;

 private:
  friend struct socket_internal::Access;
  SeqPacketSocket(Fd fd, int family, bool nonblocking)
      : Socket(std::move(fd), kType, family, nonblocking) {}

  absl::Status CheckMessage(absl::string_view message,
                            const char* operation) const;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SEQPACKET_SOCKET_H_
