// seqpacket_listener.h
//
// `SeqPacketListener` accepts Unix SOCK_SEQPACKET connections as
// `SeqPacketSocket`s. See listener.h for the whole story.
//
// Example:
//
//   absl::StatusOr<SocketAddress> name = SocketAddress::UnixAbstract("app");
//   absl::StatusOr<SeqPacketListener> listener =
//       SeqPacketListener::Listen(*name);
//   absl::StatusOr<SeqPacketSocket> client = listener->Accept();

#ifndef IPCBOX_SOCKET_SEQPACKET_LISTENER_H_
#define IPCBOX_SOCKET_SEQPACKET_LISTENER_H_

#include "ipcbox/socket/listener.h"
#include "ipcbox/socket/seqpacket_socket.h"

namespace ipcbox {

using SeqPacketListener = BasicListener<SeqPacketSocket>;

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SEQPACKET_LISTENER_H_
