// echo_handler.h
//
// `EchoHandler` sends every byte a client sends back to it, in order: the
// concurrent echo server, and the smallest complete `ConnectionHandler`.
// It consumes only what fits in the client's output buffer, so a client
// that sends without reading is slowed down by back-pressure, never
// answered out of order and never allowed to grow the server's memory.
//
// Example:
//
//   EchoHandler echo;
//   absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
//       ConcurrentServer::Create(*std::move(listener), echo);
//   if (!server.ok()) return server.status();
//   return (*server)->Run();

#ifndef IPCBOX_SOCKET_SERVER_ECHO_HANDLER_H_
#define IPCBOX_SOCKET_SERVER_ECHO_HANDLER_H_

#include <cstddef>

#include "absl/types/span.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/connection_handler.h"

namespace ipcbox {

class EchoHandler : public ConnectionHandler {
 public:
  size_t OnData(Connection& connection, absl::Span<const char> data) override;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_ECHO_HANDLER_H_
