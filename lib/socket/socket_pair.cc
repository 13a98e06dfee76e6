#include "ipcbox/socket/socket_pair.h"

#include <sys/socket.h>

#include <cerrno>

#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/seqpacket_socket.h"
#include "ipcbox/socket/socket.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox {
namespace {

template <typename T>
absl::StatusOr<SocketPair<T>> CreatePair(bool nonblocking, const char* what) {
  int fds[2];
  const int type = T::kType | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  if (::socketpair(AF_UNIX, type, 0, fds) != 0) {
    return ErrnoError(errno, "socketpair", what);
  }
  using socket_internal::Access;
  return SocketPair<T>{Access::Make<T>(Fd(fds[0]), AF_UNIX, nonblocking),
                       Access::Make<T>(Fd(fds[1]), AF_UNIX, nonblocking)};
}

}  // namespace

absl::StatusOr<SocketPair<StreamSocket>> CreateStreamSocketPair(
    bool nonblocking) {
  return CreatePair<StreamSocket>(nonblocking, "SOCK_STREAM");
}

absl::StatusOr<SocketPair<SeqPacketSocket>> CreateSeqPacketSocketPair(
    bool nonblocking) {
  return CreatePair<SeqPacketSocket>(nonblocking, "SOCK_SEQPACKET");
}

absl::StatusOr<SocketPair<DatagramSocket>> CreateDatagramSocketPair(
    bool nonblocking) {
  return CreatePair<DatagramSocket>(nonblocking, "SOCK_DGRAM");
}

}  // namespace ipcbox
