// stream_listener.h
//
// `StreamListener` accepts TCP or Unix SOCK_STREAM connections as
// `StreamSocket`s. See listener.h for the whole story.
//
// Example:
//
//   absl::StatusOr<SocketAddress> path =
//       SocketAddress::UnixPath("/run/app.sock");
//   absl::StatusOr<StreamListener> listener = StreamListener::Listen(*path);
//   absl::StatusOr<StreamSocket> client =
//       listener->AcceptFor(absl::Seconds(30));

#ifndef IPCBOX_SOCKET_STREAM_LISTENER_H_
#define IPCBOX_SOCKET_STREAM_LISTENER_H_

#include "ipcbox/socket/listener.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox {

using StreamListener = BasicListener<StreamSocket>;

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_STREAM_LISTENER_H_
