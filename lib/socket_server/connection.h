// connection.h
//
// `Connection` is one client of a `ConcurrentServer`, as its
// `ConnectionHandler` sees it: who it is, the bytes queued for it, and the
// handler's ways to answer (write into the output buffer) and to end it.
// Connections are the slots of the server's fixed table, reused client after
// client; nothing here allocates.
//
// Example (inside a handler: answer each 4-byte request with its sum):
//
//   size_t OnData(Connection& c, absl::Span<const char> data) override {
//     size_t used = 0;
//     while (data.size() - used >= 4 && c.output_space() >= 1) {
//       const char sum = data[used] + data[used + 1] + ...;
//       c.Write(absl::string_view(&sum, 1));
//       used += 4;
//     }
//     return used;   // an incomplete request stays queued for the next call
//   }
//
// The server sends the output after the handler returns; a handler short of
// output space consumes only what it answered, and is called again with the
// rest once the output drains (back-pressure). A `Connection&` is valid only
// during the call that received it: keep `id()` (never reused) or `slot()`
// (an index for per-connection state sized `max_connections`) instead.

#ifndef IPCBOX_SOCKET_SERVER_CONNECTION_H_
#define IPCBOX_SOCKET_SERVER_CONNECTION_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/byte_buffer.h"

namespace ipcbox {

class ConcurrentServer;

class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Identifies this client for the server's lifetime: 1 for the first client
  // accepted, 2 for the next, ... never reused.
  uint64_t id() const { return id_; }
  // The slot in the connection table, in [0, max_connections): reused by a
  // later client once this one is closed.
  size_t slot() const { return slot_; }
  // The client's socket (for its descriptor and addresses). Do not read or
  // write it directly: the server does, and owns its mode.
  const StreamSocket& socket() const { return socket_; }
  // The client's address as accept() reported it ("(unnamed)" for most Unix
  // clients).
  const SocketAddress& peer() const { return peer_; }

  // The client has ended its half of the stream: the data passed now is
  // all there will be.
  bool peer_closed() const { return peer_closed_; }
  // `Close()` was called: no more data will be passed to the handler.
  bool closing() const { return close_requested_; }

  // Bytes written and not yet sent.
  size_t output_pending() const { return output_.size(); }
  // Bytes `Write()` can take now.
  size_t output_space() const { return output_.free_space(); }

  // Queues all of `data`, or nothing if it does not fit (returns false).
  // For replies that must not be cut.
  bool Write(absl::string_view data);
  // Queues as much of `data` as fits; returns how much.
  size_t WriteSome(absl::string_view data);
  // The free output space, to format a reply in place; then
  // `CommitOutput(bytes_used)`.
  absl::Span<char> OutputSpace() { return output_.Writable(); }
  void CommitOutput(size_t n);

  // Ends the connection once its pending output is sent. The handler gets
  // no more data, then `OnClose()` with an OK status.
  void Close() { close_requested_ = true; }

 private:
  friend class ConcurrentServer;

  Connection() = default;

  // Puts the slot back to "free", keeping its buffers.
  void Reset();

  StreamSocket socket_;
  SocketAddress peer_;
  ByteBuffer input_;
  ByteBuffer output_;
  uint64_t id_ = 0;
  size_t slot_ = 0;
  // Bumped whenever the slot is freed, so that an epoll event queued for
  // its previous client is recognised as stale.
  uint32_t generation_ = 0;
  bool open_ = false;
  bool peer_closed_ = false;
  bool close_requested_ = false;
  // The handler has not yet seen the queued input in its current state
  // (new bytes arrived, or output space was freed since the last call).
  bool input_changed_ = false;
  // The epoll interest currently registered.
  bool reading_ = false;
  bool writing_ = false;
  // Progress since the deadline was last armed.
  bool received_some_ = false;
  bool sent_some_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_CONNECTION_H_
