// socket_client: the seed article's socket client on lib/socket. Connects
// to the socket server (localhost:9876), sends three book titles and
// prints their echoes.
//
//   $ socket_client
//   Connect to server, about to write some stuff...
//   War and Peace
//   Pride and Prejudice
//   The Sound and the Fury
//   Client done, about to exit...
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/socket/book_echo.h"

ABSL_FLAG(std::string, host, std::string(ipcbox::examples::kHost),
          "Server host name or numeric address (sock.h Host).");
ABSL_FLAG(int32_t, port, ipcbox::examples::kPortNumber,
          "Server TCP port (sock.h PortNumber).");
ABSL_FLAG(int32_t, buffer_size, ipcbox::examples::kBuffSize,
          "Read buffer size (sock.h BuffSize); each echo is this + 1 bytes.");
ABSL_FLAG(int32_t, exchanges, ipcbox::examples::kConversationLen,
          "Titles sent (sock.h ConversationLen).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10),
          "Bound on connecting and on each wait for an echo.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "socket_client [flags]: the seed's TCP client that sends book titles to "
      "socket_server.");
  const int32_t port = absl::GetFlag(FLAGS_port);
  const int32_t buffer_size = absl::GetFlag(FLAGS_buffer_size);
  const int32_t exchanges = absl::GetFlag(FLAGS_exchanges);
  if (port < 1 || port > 65535 || buffer_size < 1 || buffer_size > (1 << 24) ||
      exchanges < 0) {
    std::fprintf(stderr,
                 "socket_client: need 1 <= --port <= 65535, "
                 "1 <= --buffer_size <= 16777216, --exchanges >= 0\n");
    return 2;
  }
  ipcbox::examples::BookClientOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = static_cast<uint16_t>(port);
  options.buffer_size = static_cast<size_t>(buffer_size);
  options.exchanges = exchanges;
  options.timeout = absl::GetFlag(FLAGS_timeout);
  absl::Status run = ipcbox::examples::RunBookClient(options, stdout);
  if (!run.ok()) {
    std::fprintf(stderr, "socket_client: %s\n", run.ToString().c_str());
    return 1;
  }
  return 0;
}
