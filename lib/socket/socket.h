// socket.h
//
// `Socket` is what every ipcbox socket type has in common: it owns the
// descriptor (close-on-exec, closed when the object goes away), knows its
// family and blocking mode, and, if it bound a Unix filesystem path, removes
// that path when it is closed. The types you use derive from it:
//
//   StreamSocket       a connected byte stream: TCP or Unix SOCK_STREAM
//   SeqPacketSocket    a connected Unix SOCK_SEQPACKET: records, in order
//   DatagramSocket     UDP or Unix SOCK_DGRAM: records, addressed each time
//   StreamListener     accepts StreamSockets (TCP or Unix)
//   SeqPacketListener  accepts SeqPacketSockets (Unix)
//
// Functions that work on any of them take a `Socket&`: `SendWithFds()`,
// `ReceiveWithFds()` (fd_passing.h), `GetPeerCredentials()`
// (peer_credentials.h).
//
// Example:
//
//   absl::StatusOr<StreamSocket> s = StreamSocket::Connect(server, deadline);
//   if (!s.ok()) return s.status();
//   LOG(INFO) << "connected from " << s->LocalAddress()->ToString();
//
// Only the process that bound a Unix path removes it, and only while the path
// still names this socket; timed calls never depend on the blocking mode.
// Not thread-safe for concurrent use of one object. See lib/socket's README.

#ifndef IPCBOX_SOCKET_SOCKET_H_
#define IPCBOX_SOCKET_SOCKET_H_

#include <sys/socket.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/unix_path_owner.h"

namespace ipcbox {

// Which half of a connection `Shutdown()` ends.
enum class ShutdownDirection {
  kRead = SHUT_RD,   // we will not read: the peer's further data is dropped
  kWrite = SHUT_WR,  // we are done sending: the peer reads end-of-stream
  kBoth = SHUT_RDWR,
};

namespace socket_internal {
struct Access;
}  // namespace socket_internal

class Socket {
 public:
  Socket(Socket&&) = default;
  Socket& operator=(Socket&&) = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // The descriptor, still owned by this object: for poll()/epoll. Empty
  // (-1) when not open.
  const Fd& fd() const { return fd_; }
  bool valid() const { return fd_.valid(); }
  // AF_UNIX, AF_INET or AF_INET6.
  int family() const { return family_; }
  // SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM.
  int type() const { return type_; }
  bool nonblocking() const { return nonblocking_; }

  // Sets or clears O_NONBLOCK on the open file description (shared with
  // copies made by fork() and dup()).
  absl::Status SetNonBlocking(bool nonblocking);

  // getsockname(): the address this socket is bound to. For a TCP or UDP
  // socket bound to port 0, this is where to find the port the kernel
  // chose.
  absl::StatusOr<SocketAddress> LocalAddress() const;
  // getpeername(): the address of the connected peer (unnamed for most
  // Unix clients).
  absl::StatusOr<SocketAddress> PeerAddress() const;

  // SO_SNDBUF / SO_RCVBUF. The kernel doubles the value for bookkeeping and
  // clamps it to [a minimum, net.core.{w,r}mem_max].
  absl::Status SetSendBufferSize(int bytes);
  absl::Status SetReceiveBufferSize(int bytes);

  // Closes the descriptor (and removes the Unix path this socket bound, see
  // above) and reports close()'s error. Not open afterwards.
  absl::Status Close();

  // Gives up the descriptor (still close-on-exec) and the duty to remove a
  // bound path, which stays. Not open afterwards.
  Fd Release();

 protected:
  // Not open; every operation fails with kFailedPrecondition.
  Socket() = default;
  Socket(Fd fd, int type, int family, bool nonblocking)
      : fd_(std::move(fd)),
        type_(type),
        family_(family),
        nonblocking_(nonblocking) {}

  // OK if open; otherwise a kFailedPrecondition naming `operation`
  // (allocates: it reports a caller bug).
  absl::Status CheckOpen(const char* operation) const {
    if (fd_.valid()) return absl::OkStatus();
    return NotOpenError(operation);
  }

  absl::Status Shutdown(ShutdownDirection direction);

 private:
  friend struct socket_internal::Access;

  absl::Status NotOpenError(const char* operation) const;

  // Declared first so that it is destroyed last: the path goes after the
  // descriptor is closed.
  UnixPathOwner path_owner_;
  Fd fd_;
  int type_ = 0;
  int family_ = AF_UNSPEC;
  bool nonblocking_ = false;
};

namespace socket_internal {

// How lib/socket's own code builds socket objects from a descriptor it has
// just created and knows all about (no system call to find out).
struct Access {
  template <typename T>
  static T Make(Fd fd, int family, bool nonblocking) {
    return T(std::move(fd), family, nonblocking);
  }
  static void GivePath(Socket& socket, UnixPathOwner owner) {
    socket.path_owner_ = std::move(owner);
  }
};

// The family (from getsockname) and O_NONBLOCK flag of an open socket whose
// type must be `type`; for the `FromFd()` factories.
struct AdoptedSocket {
  int family = AF_UNSPEC;
  bool nonblocking = false;
};
absl::StatusOr<AdoptedSocket> InspectSocket(const Fd& fd, int type,
                                            const char* type_name);

}  // namespace socket_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SOCKET_H_
