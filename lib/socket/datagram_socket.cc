#include "ipcbox/socket/datagram_socket.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/internal/open_socket.h"
#include "ipcbox/socket/internal/socket_io.h"

namespace ipcbox {
namespace {

using socket_internal::ReceiveMessageOnce;
using socket_internal::RetryUntil;
using socket_internal::SendOnce;

}  // namespace

absl::StatusOr<DatagramSocket> DatagramSocket::Bind(
    const SocketAddress& address, DatagramOptions options) {
  absl::StatusOr<Fd> fd =
      socket_internal::NewSocket(address.family(), kType, options.nonblocking);
  if (!fd.ok()) return fd.status();
  socket_internal::BindSettings settings;
  settings.reuse_address = options.reuse_address;
  settings.ipv6_only = options.ipv6_only;
  settings.permissions = options.permissions;
  settings.replace_stale_path = options.replace_stale_path;
  absl::StatusOr<UnixPathOwner> owner =
      socket_internal::BindSocket(fd->get(), kType, address, settings);
  if (!owner.ok()) return owner.status();
  DatagramSocket socket = socket_internal::Access::Make<DatagramSocket>(
      *std::move(fd), address.family(), options.nonblocking);
  socket_internal::Access::GivePath(socket, *std::move(owner));
  return socket;
}

absl::StatusOr<DatagramSocket> DatagramSocket::Open(int family,
                                                    bool nonblocking) {
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) {
    return absl::InvalidArgumentError(
        absl::StrCat("DatagramSocket::Open: family ", family,
                     " is none of AF_INET, AF_INET6, AF_UNIX"));
  }
  absl::StatusOr<Fd> fd =
      socket_internal::NewSocket(family, kType, nonblocking);
  if (!fd.ok()) return fd.status();
  return socket_internal::Access::Make<DatagramSocket>(*std::move(fd), family,
                                                       nonblocking);
}

absl::StatusOr<DatagramSocket> DatagramSocket::FromFd(Fd fd) {
  absl::StatusOr<socket_internal::AdoptedSocket> adopted =
      socket_internal::InspectSocket(fd, kType, "DatagramSocket");
  if (!adopted.ok()) return adopted.status();
  return socket_internal::Access::Make<DatagramSocket>(
      std::move(fd), adopted->family, adopted->nonblocking);
}

absl::Status DatagramSocket::Connect(const SocketAddress& peer) {
  if (absl::Status s = CheckOpen("Connect"); !s.ok()) return s;
  if (::connect(fd().get(), peer.sockaddr(), peer.size()) != 0) {
    return ErrnoError(errno, "connect", peer.ToString());
  }
  return absl::OkStatus();
}

absl::Status DatagramSocket::Send(absl::string_view message) {
  return SendMessage(message, nullptr, nullptr, "Send");
}

absl::Status DatagramSocket::SendUntil(absl::string_view message,
                                       Deadline deadline) {
  return SendMessage(message, nullptr, &deadline, "SendUntil");
}

absl::Status DatagramSocket::SendFor(absl::string_view message,
                                     absl::Duration timeout) {
  return SendUntil(message, Deadline::After(timeout));
}

absl::Status DatagramSocket::SendTo(absl::string_view message,
                                    const SocketAddress& to) {
  return SendMessage(message, &to, nullptr, "SendTo");
}

absl::Status DatagramSocket::SendToUntil(absl::string_view message,
                                         const SocketAddress& to,
                                         Deadline deadline) {
  return SendMessage(message, &to, &deadline, "SendToUntil");
}

absl::StatusOr<size_t> DatagramSocket::Receive(absl::Span<char> buf,
                                               SocketAddress* from) {
  return ReceiveMessage(buf, nullptr, from, "Receive");
}

absl::StatusOr<size_t> DatagramSocket::ReceiveUntil(absl::Span<char> buf,
                                                    Deadline deadline,
                                                    SocketAddress* from) {
  return ReceiveMessage(buf, &deadline, from, "ReceiveUntil");
}

absl::StatusOr<size_t> DatagramSocket::ReceiveFor(absl::Span<char> buf,
                                                  absl::Duration timeout,
                                                  SocketAddress* from) {
  return ReceiveUntil(buf, Deadline::After(timeout), from);
}

absl::Status DatagramSocket::SendMessage(absl::string_view message,
                                         const SocketAddress* to,
                                         const Deadline* deadline,
                                         const char* operation) {
  if (absl::Status s = CheckOpen(operation); !s.ok()) return s;
  const int fd = this->fd().get();
  if (deadline == nullptr) return SendOnce(fd, message, 0, to).status();
  return RetryUntil(fd, nonblocking(), POLLOUT, *deadline,
                    [&](int flags) { return SendOnce(fd, message, flags, to); })
      .status();
}

absl::StatusOr<size_t> DatagramSocket::ReceiveMessage(absl::Span<char> buf,
                                                      const Deadline* deadline,
                                                      SocketAddress* from,
                                                      const char* operation) {
  if (absl::Status s = CheckOpen(operation); !s.ok()) return s;
  // An empty buffer would turn every datagram into a truncation error.
  if (buf.empty()) {
    return socket_internal::EmptyBufferError("DatagramSocket", operation);
  }
  const int fd = this->fd().get();
  absl::StatusOr<size_t> n =
      deadline == nullptr
          ? ReceiveMessageOnce(fd, buf, 0, from)
          : RetryUntil(fd, nonblocking(), POLLIN, *deadline, [&](int flags) {
              return ReceiveMessageOnce(fd, buf, flags, from);
            });
  // The kernel reports an unbound Unix sender with a zero-length address.
  if (n.ok() && from != nullptr && from->empty() && family() == AF_UNIX) {
    *from = SocketAddress::UnnamedUnix();
  }
  return n;
}

}  // namespace ipcbox
