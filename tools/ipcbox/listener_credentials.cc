#include "tools/ipcbox/listener_credentials.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/seqpacket_socket.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox::tool {
namespace {

// A listener that does not accept within this long still completes the
// connect (the kernel queues it) unless its backlog is full.
constexpr absl::Duration kConnectTimeout = absl::Seconds(1);

template <typename SocketType>
absl::StatusOr<PeerCredentials> Ask(const SocketAddress& address) {
  absl::StatusOr<SocketType> socket =
      SocketType::Connect(address, Deadline::After(kConnectTimeout));
  if (!socket.ok()) return socket.status();
  return GetPeerCredentials(*socket);
}

}  // namespace

absl::StatusOr<PeerCredentials> AskListener(const IpcObject& socket) {
  const bool stream = absl::StartsWith(socket.detail, "stream listening");
  const bool seqpacket = absl::StartsWith(socket.detail, "seqpacket listening");
  if (socket.kind != Kind::kSocket || socket.name.empty() ||
      !(stream || seqpacket)) {
    return absl::FailedPreconditionError(
        "not a listening stream or seqpacket socket");
  }
  absl::StatusOr<SocketAddress> address =
      socket.name[0] == '@' ? SocketAddress::UnixAbstract(
                                  absl::string_view(socket.name).substr(1))
                            : SocketAddress::UnixPath(socket.name);
  if (!address.ok()) return address.status();
  return stream ? Ask<StreamSocket>(*address) : Ask<SeqPacketSocket>(*address);
}

std::string DescribeListener(const PeerCredentials& who) {
  return absl::StrCat("pid ", who.pid, " uid ", who.uid, " gid ", who.gid,
                      " (SO_PEERCRED)");
}

}  // namespace ipcbox::tool
