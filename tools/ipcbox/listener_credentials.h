// Who listens on a Unix socket, as the kernel recorded it at listen():
// `show` connects once to the one listening socket it is asked about and
// reads SO_PEERCRED. That reaches listeners whose descriptors /proc does
// not show (another pid namespace, or another user's process when ipcbox
// is not root). `ls` never does it: a listing connects to no server.
//
//   IpcObject o = ...;  // a socket from ScanObjects()
//   if (absl::StatusOr<PeerCredentials> who = AskListener(o); who.ok()) {
//     o.listener = DescribeListener(*who);
//   }
//
// The listener sees one connection that closes without data.
#ifndef IPCBOX_TOOLS_IPCBOX_LISTENER_CREDENTIALS_H_
#define IPCBOX_TOOLS_IPCBOX_LISTENER_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "ipcbox/socket/peer_credentials.h"
#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

// FailedPrecondition for anything but a listening stream or seqpacket
// socket; the connect error (e.g. ECONNREFUSED with a full backlog) else.
absl::StatusOr<PeerCredentials> AskListener(const IpcObject& socket);

// "pid 42 uid 0 gid 0 (SO_PEERCRED)".
std::string DescribeListener(const PeerCredentials& who);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_LISTENER_CREDENTIALS_H_
