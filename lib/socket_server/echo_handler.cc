#include "ipcbox/socket_server/echo_handler.h"

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ipcbox {

size_t EchoHandler::OnData(Connection& connection,
                           absl::Span<const char> data) {
  return connection.WriteSome(absl::string_view(data.data(), data.size()));
}

}  // namespace ipcbox
