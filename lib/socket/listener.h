// listener.h
//
// `BasicListener<Connection>` is a bound, listening socket that accepts
// connections: `StreamListener` (TCP or Unix SOCK_STREAM, accepting
// `StreamSocket`s) and `SeqPacketListener` (Unix SOCK_SEQPACKET, accepting
// `SeqPacketSocket`s). Accepting allocates nothing, in any mode, so an
// accept loop or an event loop can run it for every client.
//
// Example (the seed's server, one client at a time; iterative_server.h
// packages this loop):
//
//   ListenOptions options;
//   options.backlog = 8;
//   absl::StatusOr<StreamListener> listener =
//       StreamListener::Listen(SocketAddress::Ipv4Any(9876), options);
//   if (!listener.ok()) return listener.status();
//   for (;;) {
//     absl::StatusOr<StreamSocket> client = listener->Accept();
//     if (!client.ok()) { ...log, continue or stop... }
//     Serve(*client);
//   }
//
// On a Unix path, `Listen()` creates the socket file with exactly
// `options.permissions` (0600 by default), replaces a stale file a dead
// server left (nothing else), and removes it on `Close()`. On TCP it sets
// SO_REUSEADDR; port 0 picks a free port (`LocalAddress()`). EMFILE is
// kResourceExhausted: back off rather than spin. Several processes accepting
// on one listener should make it O_NONBLOCK. See lib/socket's README.md.

#ifndef IPCBOX_SOCKET_LISTENER_H_
#define IPCBOX_SOCKET_LISTENER_H_

#include <poll.h>
#include <sys/socket.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/wait_ready.h"
#include "ipcbox/socket/socket.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {

struct ListenOptions {
  // Connections the kernel completes and queues before the server accepts
  // them (listen(2)); capped by net.core.somaxconn.
  int backlog = SOMAXCONN;
  // Mode of the listening socket: `Accept()` returns would-block.
  bool nonblocking = false;
  // TCP: SO_REUSEADDR.
  bool reuse_address = true;
  // TCP on an IPv6 address: IPV6_V6ONLY. With false, [::] also accepts
  // IPv4 clients (as ::ffff:a.b.c.d).
  bool ipv6_only = true;
  // Unix path: the socket file's mode. Connecting needs write permission.
  Permissions permissions;
  // Unix path: replace a stale socket file (README.md). With false, an
  // existing path is AlreadyExists.
  bool replace_stale_path = true;
};

struct AcceptOptions {
  // Mode of the accepted connection (SOCK_NONBLOCK), for event loops.
  bool nonblocking = false;
  // If set, receives the client's address.
  SocketAddress* peer = nullptr;
};

namespace socket_internal {

struct ListeningFd {
  Fd fd;
  UnixPathOwner owner;
};

// socket(), bind() (see BindSocket), listen().
absl::StatusOr<ListeningFd> ListenNew(const SocketAddress& address, int type,
                                      const ListenOptions& options);

// One accept4() with SOCK_CLOEXEC, retrying EINTR. EAGAIN, and the
// transient errors (ECONNABORTED, ...) after which the caller should simply
// try again, are `WouldBlockError()`.
absl::StatusOr<Fd> AcceptOnce(int fd, const AcceptOptions& options);

}  // namespace socket_internal

template <typename Connection>
class BasicListener : public Socket {
 public:
  static constexpr int kType = Connection::kType;

  // Not open; every operation fails with kFailedPrecondition.
  BasicListener() = default;

  static absl::StatusOr<BasicListener> Listen(const SocketAddress& address,
                                              ListenOptions options = {}) {
    absl::StatusOr<socket_internal::ListeningFd> listening =
        socket_internal::ListenNew(address, kType, options);
    if (!listening.ok()) return listening.status();
    BasicListener listener = socket_internal::Access::Make<BasicListener>(
        std::move(listening->fd), address.family(), options.nonblocking);
    socket_internal::Access::GivePath(listener, std::move(listening->owner));
    return listener;
  }

  // Adopts a listening socket of the right type (socket activation, or
  // one inherited across exec). It does not own any path.
  static absl::StatusOr<BasicListener> FromFd(Fd fd) {
    absl::StatusOr<socket_internal::AdoptedSocket> adopted =
        socket_internal::InspectSocket(fd, kType, "Listener");
    if (!adopted.ok()) return adopted.status();
    return socket_internal::Access::Make<BasicListener>(
        std::move(fd), adopted->family, adopted->nonblocking);
  }

  BasicListener(BasicListener&&) = default;
  BasicListener& operator=(BasicListener&&) = default;

  // Waits for a client on a blocking listener; `WouldBlockError()` at once
  // on a non-blocking one with nobody waiting.
  absl::StatusOr<Connection> Accept(AcceptOptions options = {}) {
    if (absl::Status s = CheckOpen("Accept"); !s.ok()) return s;
    for (;;) {
      absl::StatusOr<Fd> accepted =
          socket_internal::AcceptOnce(fd().get(), options);
      // On a blocking listener, would-block means a transient error: the
      // client left before we took it. Wait for the next one.
      if (nonblocking() || !IsWouldBlock(accepted.status())) {
        return Wrap(std::move(accepted), options);
      }
    }
  }

  // Waits for a client by `deadline`, in either mode.
  absl::StatusOr<Connection> AcceptUntil(Deadline deadline,
                                         AcceptOptions options = {}) {
    if (absl::Status s = CheckOpen("AcceptUntil"); !s.ok()) return s;
    if (deadline.is_infinite() && !nonblocking()) return Accept(options);
    bool wait_first = !nonblocking();  // a blocking accept would not return
    for (;;) {
      if (wait_first) {
        absl::Status ready = WaitReady(fd().get(), POLLIN, deadline);
        if (!ready.ok()) return ready;
      }
      wait_first = true;
      absl::StatusOr<Fd> accepted =
          socket_internal::AcceptOnce(fd().get(), options);
      if (!IsWouldBlock(accepted.status())) {
        return Wrap(std::move(accepted), options);
      }
    }
  }

  absl::StatusOr<Connection> AcceptFor(absl::Duration timeout,
                                       AcceptOptions options = {}) {
    return AcceptUntil(Deadline::After(timeout), options);
  }

 private:
  friend struct socket_internal::Access;
  BasicListener(Fd fd, int family, bool nonblocking)
      : Socket(std::move(fd), kType, family, nonblocking) {}

  absl::StatusOr<Connection> Wrap(absl::StatusOr<Fd> accepted,
                                  const AcceptOptions& options) const {
    if (!accepted.ok()) return accepted.status();
    return socket_internal::Access::Make<Connection>(
        *std::move(accepted), family(), options.nonblocking);
  }
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_LISTENER_H_
