// concurrent_echo_server: echoes every client's bytes back to it, up to
// --max_connections clients at once, from one thread (lib/socket_server).
// Stops on SIGINT (Ctrl-C) or SIGTERM.
//
//   concurrent_echo_server [--port=9876] [--host=127.0.0.1]
//       [--max_connections=1000] [--buffer_bytes=4096] [--log_connections]

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "examples/common/program_flags.h"
#include "examples/socket_server/concurrent_echo_server.h"

ABSL_FLAG(std::string, host, "127.0.0.1",
          "Numeric IPv4 or IPv6 address to listen on: loopback by default; "
          "0.0.0.0 (or ::) for every interface.");
ABSL_FLAG(uint16_t, port, 9876, "TCP port to listen on (0: any free port).");
ABSL_FLAG(int, max_connections, 1000,
          "Clients served at once; more are refused with a message.");
ABSL_FLAG(uint32_t, buffer_bytes, 4096,
          "Bytes of each client's input buffer and of its output buffer.");
ABSL_FLAG(std::string, refusal_message, "server busy, try again later\n",
          "Sent to a client refused because the table is full.");
ABSL_FLAG(bool, log_connections, true,
          "Print a line when a client connects and disconnects.");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "concurrent_echo_server [--host=127.0.0.1] [--port=9876] [flags]: echoes "
      "every client's bytes back, many clients at once, until SIGINT or "
      "SIGTERM.");
  ipcbox::examples::EchoServerConfig config;
  config.host = absl::GetFlag(FLAGS_host);
  config.port = absl::GetFlag(FLAGS_port);
  config.max_connections = absl::GetFlag(FLAGS_max_connections);
  config.buffer_bytes = absl::GetFlag(FLAGS_buffer_bytes);
  config.refusal_message = absl::GetFlag(FLAGS_refusal_message);
  config.log_connections = absl::GetFlag(FLAGS_log_connections);
  return ipcbox::examples::RunConcurrentEchoServer(config, stdout);
}
