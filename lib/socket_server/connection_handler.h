// connection_handler.h
//
// `ConnectionHandler` is what a `ConcurrentServer` calls to serve its
// clients: one object for all of them, called on the server's loop thread,
// one call at a time. Virtual functions rather than std::function callbacks,
// so an event costs an indirect call and never an allocation.
//
// Example (a line-oriented server that upper-cases each line):
//
//   class UpperCaser : public ConnectionHandler {
//    public:
//     size_t OnData(Connection& c, absl::Span<const char> data) override {
//       size_t used = 0;
//       for (;;) {
//         absl::string_view rest(data.data() + used, data.size() - used);
//         const size_t eol = rest.find('\n');
//         if (eol == rest.npos) return used;      // wait for the rest
//         absl::Span<char> out = c.OutputSpace();
//         if (out.size() < eol + 1) return used;  // until the client reads
//         for (size_t i = 0; i <= eol; ++i) {
//           out[i] = absl::ascii_toupper(rest[i]);
//         }
//         c.CommitOutput(eol + 1);
//         used += eol + 1;
//       }
//     }
//   };
//
// Handlers must not block: every client waits while one call runs.

#ifndef IPCBOX_SOCKET_SERVER_CONNECTION_HANDLER_H_
#define IPCBOX_SOCKET_SERVER_CONNECTION_HANDLER_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "ipcbox/socket_server/connection.h"

namespace ipcbox {

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;

  // A client was accepted into the table. It may write a greeting, or
  // `Close()` the connection at once (say, a client it does not serve).
  virtual void OnOpen(Connection& connection) { (void)connection; }

  // `data` is every byte received from the client and not yet consumed,
  // oldest first. Returns how many of them it consumed (at most
  // `data.size()`); the rest stay queued and are passed again, with
  // whatever arrives after them, on the next call. The handler is called
  // again when more bytes arrive, and when output space frees up while
  // bytes are still queued.
  //
  // If the input buffer is full and the handler consumes nothing while the
  // output buffer is empty, the handler can never progress (a request larger
  // than the buffer): the server closes the connection with a
  // kResourceExhausted status.
  virtual size_t OnData(Connection& connection,
                        absl::Span<const char> data) = 0;

  // The connection is being closed; its socket is still open during the
  // call. `reason` is OK when the client ended the stream or the handler
  // called `Close()`, kCancelled (without a message) from
  // `ConcurrentServer::CloseAllConnections()`, else the error that ended it
  // (ECONNRESET when the client died with unread data, EPIPE, an oversized
  // request, ...).
  virtual void OnClose(Connection& connection, const absl::Status& reason) {
    (void)connection;
    (void)reason;
  }
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_CONNECTION_HANDLER_H_
