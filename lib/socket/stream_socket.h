// stream_socket.h
//
// `StreamSocket` is one end of a connected byte stream: TCP over IPv4 or
// IPv6, or a Unix SOCK_STREAM socket. It sends and receives caller-owned
// bytes, blocking, non-blocking or by a deadline, and never allocates on
// those paths. Get one from `Connect()`, `StreamListener::Accept()`,
// `CreateStreamSocketPair()` (socket_pair.h), or `FromFd()`.
//
// Example (a client that sends a request and reads a fixed-size reply):
//
//   absl::StatusOr<StreamSocket> s =
//       StreamSocket::Connect(server, Deadline::After(absl::Seconds(2)));
//   if (!s.ok()) return s.status();
//   const Deadline deadline = Deadline::After(absl::Seconds(5));
//   if (absl::Status st = s->SendAll(request, deadline); !st.ok()) return st;
//   char reply[64];
//   absl::Status st = s->ReceiveFull(absl::MakeSpan(reply), deadline);
//   if (IsEndOfStream(st)) ...  // the server closed before replying
//
// A stream has no message boundaries: frame your messages (a length, a fixed
// size, a delimiter); `SendAll()` and `ReceiveFull()` loop over partial
// transfers. Sends use MSG_NOSIGNAL: a closed peer is an EPIPE status, never
// SIGPIPE. lib/socket's README.md lists the outcomes. Not thread-safe for
// concurrent use of one object (dup the fd to send and receive in two).

#ifndef IPCBOX_SOCKET_STREAM_SOCKET_H_
#define IPCBOX_SOCKET_STREAM_SOCKET_H_

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

struct ConnectOptions {
  // Mode of the connected socket (the connect itself is bounded by the
  // deadline in either mode).
  bool nonblocking = false;
  // TCP_NODELAY: send small writes at once instead of waiting to coalesce
  // them (Nagle). For request/response protocols with small messages.
  // Ignored for Unix sockets.
  bool no_delay = false;
};

class StreamSocket : public Socket {
 public:
  static constexpr int kType = SOCK_STREAM;

  // Not open; every operation fails with kFailedPrecondition.
  StreamSocket() = default;

  // Connects to a TCP or Unix stream server by `deadline`. A TCP connect is
  // a non-blocking connect() and a poll() for the handshake; a Unix connect
  // waits for room in a full listen backlog. `TimedOutError()` when the
  // deadline passes first; otherwise errors name the address, e.g.
  // `connect("127.0.0.1:9876"): Connection refused`.
  static absl::StatusOr<StreamSocket> Connect(
      const SocketAddress& address, Deadline deadline = Deadline::Infinite(),
      ConnectOptions options = {});
  static absl::StatusOr<StreamSocket> ConnectFor(const SocketAddress& address,
                                                 absl::Duration timeout,
                                                 ConnectOptions options = {});

  // Adopts a connected SOCK_STREAM socket (inherited across exec, say).
  // InvalidArgument if `fd` is not one; `fd` is closed on failure.
  static absl::StatusOr<StreamSocket> FromFd(Fd fd);

  StreamSocket(StreamSocket&&) = default;
  StreamSocket& operator=(StreamSocket&&) = default;

  // One send: on a blocking socket, waits until all of `data` is sent
  // (unless a signal handler interrupts it part-way); on a non-blocking
  // one, sends what fits or returns `WouldBlockError()`. Empty data sends
  // nothing and returns 0.
  absl::StatusOr<size_t> Send(absl::string_view data);
  // Waits by the deadline for room, then sends what fits (at least one
  // byte), in either mode. `TimedOutError()` if nothing could be sent.
  absl::StatusOr<size_t> SendUntil(absl::string_view data, Deadline deadline);
  absl::StatusOr<size_t> SendFor(absl::string_view data,
                                 absl::Duration timeout);
  // Sends all of `data` by `deadline`, over as many sends as it takes, in
  // either mode. Otherwise the status says why it stopped, and
  // `*bytes_sent`, if given, how much went out before that.
  absl::Status SendAll(absl::string_view data,
                       Deadline deadline = Deadline::Infinite(),
                       size_t* bytes_sent = nullptr);

  // One receive of what is there, up to `buf.size()` bytes: waits for data
  // on a blocking socket; `WouldBlockError()` at once on a non-blocking one.
  absl::StatusOr<size_t> Receive(absl::Span<char> buf);
  // Waits by the deadline for data, in either mode.
  absl::StatusOr<size_t> ReceiveUntil(absl::Span<char> buf, Deadline deadline);
  absl::StatusOr<size_t> ReceiveFor(absl::Span<char> buf,
                                    absl::Duration timeout);
  // Fills `buf` exactly by `deadline`, in either mode. OK means full;
  // `IsEndOfStream()` means the stream ended before the first byte (a clean
  // end); kDataLoss means it ended part-way (a truncated
  // record: an error); or timed out, or another error. `*bytes_received`,
  // if given, says how many bytes arrived in `buf`.
  absl::Status ReceiveFull(absl::Span<char> buf,
                           Deadline deadline = Deadline::Infinite(),
                           size_t* bytes_received = nullptr);

  // Ends one direction: kWrite tells the peer "no more data" (it reads
  // end-of-stream) while we can still receive its reply.
  using Socket::Shutdown;

  // TCP_NODELAY on or off (TCP only: Unix sockets fail with EOPNOTSUPP).
  absl::Status SetNoDelay(bool no_delay);

 private:
  friend struct socket_internal::Access;
  StreamSocket(Fd fd, int family, bool nonblocking)
      : Socket(std::move(fd), kType, family, nonblocking) {}

  // The loops' steps, without the checks the public calls make once:
  // at least one byte by `deadline` (the buffers are not empty).
  absl::StatusOr<size_t> SendSome(absl::string_view data,
                                  const Deadline& deadline);
  absl::StatusOr<size_t> ReceiveSome(absl::Span<char> buf,
                                     const Deadline& deadline);
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_STREAM_SOCKET_H_
