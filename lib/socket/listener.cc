#include "ipcbox/socket/listener.h"

#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/internal/open_socket.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace socket_internal {
namespace {

// Errors accept(2) says to treat like EAGAIN: the connection that woke us
// is gone (the client reset it first) or the network blinked; the listener
// itself is fine.
bool IsTransientAcceptError(int err) {
  switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<ListeningFd> ListenNew(const SocketAddress& address, int type,
                                      const ListenOptions& options) {
  absl::StatusOr<Fd> fd =
      NewSocket(address.family(), type, options.nonblocking);
  if (!fd.ok()) return fd.status();
  BindSettings settings;
  settings.reuse_address = options.reuse_address;
  settings.ipv6_only = options.ipv6_only;
  settings.permissions = options.permissions;
  settings.replace_stale_path = options.replace_stale_path;
  absl::StatusOr<UnixPathOwner> owner =
      BindSocket(fd->get(), type, address, settings);
  if (!owner.ok()) return owner.status();
  if (::listen(fd->get(), options.backlog) != 0) {
    return ErrnoError(errno, "listen", address.ToString());
  }
  return ListeningFd{*std::move(fd), *std::move(owner)};
}

absl::StatusOr<Fd> AcceptOnce(int fd, const AcceptOptions& options) {
  const int flags = SOCK_CLOEXEC | (options.nonblocking ? SOCK_NONBLOCK : 0);
  for (;;) {
    socklen_t peer_size = SocketAddress::capacity();
    const int client = options.peer == nullptr
                           ? ::accept4(fd, nullptr, nullptr, flags)
                           : ::accept4(fd, options.peer->mutable_sockaddr(),
                                       &peer_size, flags);
    if (client >= 0) {
      if (options.peer != nullptr) options.peer->set_size(peer_size);
      return Fd(client);
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (IsTransientAcceptError(err)) return WouldBlockError();
    return ErrnoError(err, "accept", fd);
  }
}

}  // namespace socket_internal
}  // namespace ipcbox
