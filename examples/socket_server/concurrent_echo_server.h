// concurrent_echo_server.h
//
// The concurrent echo server: a TCP server on lib/socket_server's
// `ConcurrentServer` that echoes every byte back to each of up to
// `max_connections` clients at once, prints a line when a client comes and
// goes, and stops cleanly on SIGINT or SIGTERM. The program
// (concurrent_echo_server_main.cc), the tour and the tests all run
// `RunConcurrentEchoServer()`.
//
// What it prints (to `out`), one line per event:
//
//   concurrent_echo_server: listening on 127.0.0.1:9876
//       (up to 1000 clients, 4096-byte buffers)
//   client 1 connected from 127.0.0.1:40122 (1 connected)
//   client 2 connected from 127.0.0.1:40124 (2 connected)
//   client 1 disconnected (1 connected)
//   client 2 dropped: UNAVAILABLE: recv(fd 6): Connection reset by peer
//       (0 connected)
//   client 3 connected from 127.0.0.1:40130 (1 connected)
//   client 3 closed: server stopping (0 connected)
//   stopped by SIGTERM: 3 clients served, 0 refused, 26 bytes echoed
//
// (The two indented parts continue the line above them.)
//
// Try it:
//
//   ./bazelw run //examples/socket_server:concurrent_echo_server
//   socat - TCP:localhost:9876      # in other terminals, as many as you like

#ifndef IPCBOX_EXAMPLES_SOCKET_SERVER_CONCURRENT_ECHO_SERVER_H_
#define IPCBOX_EXAMPLES_SOCKET_SERVER_CONCURRENT_ECHO_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ipcbox::examples {

struct EchoServerConfig {
  // Numeric address to listen on; port 0 lets the kernel choose (the
  // "listening on" line says which).
  std::string host = "127.0.0.1";
  uint16_t port = 9876;
  int max_connections = 1000;
  size_t buffer_bytes = 4096;
  // Sent to a client refused because all `max_connections` are taken.
  std::string refusal_message = "server busy, try again later\n";
  // A line per client connected and disconnected.
  bool log_connections = true;
};

// Serves until SIGINT or SIGTERM, printing to `out` (errors too). Raises
// the soft RLIMIT_NOFILE as far as `max_connections` needs, if the hard
// limit allows. Returns the exit code: 0 after a signal, 1 if the server
// could not start or failed.
int RunConcurrentEchoServer(const EchoServerConfig& config, std::FILE* out);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SOCKET_SERVER_CONCURRENT_ECHO_SERVER_H_
