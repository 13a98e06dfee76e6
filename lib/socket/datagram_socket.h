// datagram_socket.h
//
// `DatagramSocket` sends and receives whole messages without a connection:
// UDP over IPv4 or IPv6, or a Unix SOCK_DGRAM socket. Each send is one
// datagram and each receive returns exactly one. UDP may lose, duplicate or
// reorder datagrams; Unix datagrams are reliable and ordered (a full
// receiver makes the sender wait, or would-block).
//
// Example (a Unix datagram server answering each sender):
//
//   absl::StatusOr<DatagramSocket> server =
//       DatagramSocket::Bind(*SocketAddress::UnixPath("/run/app.dgram"));
//   char buf[1024];
//   SocketAddress from;
//   absl::StatusOr<size_t> n = server->Receive(absl::MakeSpan(buf), &from);
//   if (n.ok()) server->SendTo(Answer(absl::string_view(buf, *n)), from);
//
// A Unix client must bind an address of its own to get answers. A datagram
// larger than the receive buffer fails with kResourceExhausted naming both
// sizes (the kernel has discarded the rest); empty datagrams are valid.
// Sends are whole or fail (EMSGSIZE). Other outcomes: lib/socket/README.md.
// Nothing allocates except the reports of real errors. Not thread-safe for
// concurrent use of one object.

#ifndef IPCBOX_SOCKET_DATAGRAM_SOCKET_H_
#define IPCBOX_SOCKET_DATAGRAM_SOCKET_H_

#include <sys/socket.h>

#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/socket/socket.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {

struct DatagramOptions {
  bool nonblocking = false;
  // UDP: SO_REUSEADDR (lets several sockets share a port; off by default,
  // since a second socket would then steal datagrams meant for the first).
  bool reuse_address = false;
  // UDP on IPv6: IPV6_V6ONLY.
  bool ipv6_only = true;
  // Unix path: the socket file's mode (sending needs write permission).
  Permissions permissions;
  // Unix path: replace a stale socket file, as listener.h describes.
  bool replace_stale_path = true;
};

class DatagramSocket : public Socket {
 public:
  static constexpr int kType = SOCK_DGRAM;

  // Not open; every operation fails with kFailedPrecondition.
  DatagramSocket() = default;

  // A socket bound to `address` (port 0: the kernel picks; see
  // `LocalAddress()`). A Unix path is created, replaced if stale and
  // removed on close as for listeners (listener.h).
  static absl::StatusOr<DatagramSocket> Bind(const SocketAddress& address,
                                             DatagramOptions options = {});

  // An unbound socket of `family` (AF_INET, AF_INET6 or AF_UNIX), for a
  // client that only sends, or (UDP) lets the first send pick its port.
  static absl::StatusOr<DatagramSocket> Open(int family,
                                             bool nonblocking = false);

  // Adopts a SOCK_DGRAM socket; `fd` is closed on failure.
  static absl::StatusOr<DatagramSocket> FromFd(Fd fd);

  DatagramSocket(DatagramSocket&&) = default;
  DatagramSocket& operator=(DatagramSocket&&) = default;

  // Sets the default destination for `Send()`, and receives only from it.
  absl::Status Connect(const SocketAddress& peer);

  // One datagram to the connected peer.
  absl::Status Send(absl::string_view message);
  absl::Status SendUntil(absl::string_view message, Deadline deadline);
  absl::Status SendFor(absl::string_view message, absl::Duration timeout);

  // One datagram to `to`.
  absl::Status SendTo(absl::string_view message, const SocketAddress& to);
  absl::Status SendToUntil(absl::string_view message, const SocketAddress& to,
                           Deadline deadline);

  // One datagram into `buf`: its length (the whole datagram; see above for
  // one that does not fit). `from`, if given, receives the sender's address.
  absl::StatusOr<size_t> Receive(absl::Span<char> buf,
                                 SocketAddress* from = nullptr);
  absl::StatusOr<size_t> ReceiveUntil(absl::Span<char> buf, Deadline deadline,
                                      SocketAddress* from = nullptr);
  absl::StatusOr<size_t> ReceiveFor(absl::Span<char> buf,
                                    absl::Duration timeout,
                                    SocketAddress* from = nullptr);

 private:
  friend struct socket_internal::Access;
  DatagramSocket(Fd fd, int family, bool nonblocking)
      : Socket(std::move(fd), kType, family, nonblocking) {}

  absl::Status SendMessage(absl::string_view message, const SocketAddress* to,
                           const Deadline* deadline, const char* operation);
  absl::StatusOr<size_t> ReceiveMessage(absl::Span<char> buf,
                                        const Deadline* deadline,
                                        SocketAddress* from,
                                        const char* operation);
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_DATAGRAM_SOCKET_H_
