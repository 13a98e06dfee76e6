// socket_pair.h
//
// A pair of connected Unix sockets (socketpair(2)): a bidirectional pipe
// for a parent and the child it forks, or two threads. Each end is
// close-on-exec; share one end with a child by fork (or dup it onto a
// descriptor the child execs with).
//
// Example:
//
//   absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
//   pid_t pid = fork();
//   if (pid == 0) {
//     (void)pair->first.Close();   // the child talks through `second`
//     ...
//   }
//   (void)pair->second.Close();    // the parent through `first`
//
// The seqpacket pair keeps message boundaries and reports end-of-stream;
// the datagram pair keeps boundaries but has no end-of-stream: once the
// other end is closed, a receive waits (use a deadline) and a send fails
// with ECONNREFUSED.

#ifndef IPCBOX_SOCKET_SOCKET_PAIR_H_
#define IPCBOX_SOCKET_SOCKET_PAIR_H_

#include "absl/status/statusor.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/seqpacket_socket.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox {

template <typename T>
struct SocketPair {
  T first;
  T second;
};

// Both ends non-blocking if `nonblocking`.
absl::StatusOr<SocketPair<StreamSocket>> CreateStreamSocketPair(
    bool nonblocking = false);
absl::StatusOr<SocketPair<SeqPacketSocket>> CreateSeqPacketSocketPair(
    bool nonblocking = false);
absl::StatusOr<SocketPair<DatagramSocket>> CreateDatagramSocketPair(
    bool nonblocking = false);

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SOCKET_PAIR_H_
