#include "ipcbox/socket/socket.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace {

using AddressCall = int (*)(int, struct sockaddr*, socklen_t*);

absl::StatusOr<SocketAddress> QueryAddress(int fd, AddressCall call,
                                           const char* name) {
  SocketAddress address;
  socklen_t size = SocketAddress::capacity();
  if (call(fd, address.mutable_sockaddr(), &size) != 0) {
    return ErrnoError(errno, name, fd);
  }
  address.set_size(size);
  return address;
}

absl::Status SetIntOption(int fd, int level, int option, int value,
                          const char* name) {
  if (::setsockopt(fd, level, option, &value, sizeof(value)) != 0) {
    return ErrnoError(errno, name, fd);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Socket::SetNonBlocking(bool nonblocking) {
  if (absl::Status s = CheckOpen("SetNonBlocking"); !s.ok()) return s;
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd_.get());
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd_.get(), F_SETFL, wanted) < 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", fd_.get());
  }
  nonblocking_ = nonblocking;
  return absl::OkStatus();
}

absl::StatusOr<SocketAddress> Socket::LocalAddress() const {
  if (absl::Status s = CheckOpen("LocalAddress"); !s.ok()) return s;
  return QueryAddress(fd_.get(), &::getsockname, "getsockname");
}

absl::StatusOr<SocketAddress> Socket::PeerAddress() const {
  if (absl::Status s = CheckOpen("PeerAddress"); !s.ok()) return s;
  return QueryAddress(fd_.get(), &::getpeername, "getpeername");
}

absl::Status Socket::SetSendBufferSize(int bytes) {
  if (absl::Status s = CheckOpen("SetSendBufferSize"); !s.ok()) return s;
  return SetIntOption(fd_.get(), SOL_SOCKET, SO_SNDBUF, bytes,
                      "setsockopt(SO_SNDBUF)");
}

absl::Status Socket::SetReceiveBufferSize(int bytes) {
  if (absl::Status s = CheckOpen("SetReceiveBufferSize"); !s.ok()) return s;
  return SetIntOption(fd_.get(), SOL_SOCKET, SO_RCVBUF, bytes,
                      "setsockopt(SO_RCVBUF)");
}

absl::Status Socket::Close() {
  absl::Status status = fd_.Close();
  path_owner_.Remove();
  return status;
}

Fd Socket::Release() {
  path_owner_.Disown();
  return std::move(fd_);
}

absl::Status Socket::Shutdown(ShutdownDirection direction) {
  if (absl::Status s = CheckOpen("Shutdown"); !s.ok()) return s;
  if (::shutdown(fd_.get(), static_cast<int>(direction)) != 0) {
    return ErrnoError(errno, "shutdown", fd_.get());
  }
  return absl::OkStatus();
}

absl::Status Socket::NotOpenError(const char* operation) const {
  return absl::FailedPreconditionError(absl::StrCat(
      "socket ", operation,
      ": not open (default-constructed, moved-from, released or closed)"));
}

namespace socket_internal {

absl::StatusOr<AdoptedSocket> InspectSocket(const Fd& fd, int type,
                                            const char* type_name) {
  if (!fd.valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name, "::FromFd: no descriptor"));
  }
  int actual_type = 0;
  socklen_t size = sizeof(actual_type);
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &actual_type, &size) != 0) {
    return ErrnoError(errno, "getsockopt(SO_TYPE)", fd.get());
  }
  if (actual_type != type) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name, "::FromFd: fd ", fd.get(),
                     " is a socket of another type (", actual_type, ")"));
  }
  absl::StatusOr<SocketAddress> local =
      QueryAddress(fd.get(), &::getsockname, "getsockname");
  if (!local.ok()) return local.status();
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd.get());
  AdoptedSocket adopted;
  adopted.family = local->family();
  adopted.nonblocking = (flags & O_NONBLOCK) != 0;
  return adopted;
}

}  // namespace socket_internal
}  // namespace ipcbox
