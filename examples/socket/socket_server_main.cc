// socket_server: the seed article's socket server on lib/socket. An
// iterative TCP server on port 9876 that echoes three book titles per
// client, interoperable with the article's socket_client.
//
//   $ socket_server
//   Listening on port 9876 for clients...      (stderr)
//   War and Peace
//   Pride and Prejudice
//   The Sound and the Fury
//
// It listens on 127.0.0.1 unless --host says otherwise (the seed listened
// on every interface), and gives up on a client silent for
// --client_timeout (30 s). It serves forever like the seed; --max_clients=N (or
// --once) makes it return after N clients.
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/socket/book_echo.h"
#include "ipcbox/socket/socket_address.h"

ABSL_FLAG(std::string, host, "127.0.0.1",
          "Numeric IPv4 or IPv6 address to listen on: loopback by default "
          "(the seed's client connects to localhost); 0.0.0.0 for every "
          "interface.");
ABSL_FLAG(int32_t, port, ipcbox::examples::kPortNumber,
          "TCP port to listen on (sock.h PortNumber); 0 lets the kernel pick.");
ABSL_FLAG(int32_t, backlog, ipcbox::examples::kMaxConnects,
          "listen() backlog (sock.h MaxConnects).");
ABSL_FLAG(int32_t, buffer_size, ipcbox::examples::kBuffSize,
          "Read buffer size (sock.h BuffSize); each echo is this + 1 bytes.");
ABSL_FLAG(int32_t, exchanges, ipcbox::examples::kConversationLen,
          "Reads per client (sock.h ConversationLen).");
ABSL_FLAG(int64_t, max_clients, 0,
          "Exit after serving this many clients; 0 serves forever (the seed).");
ABSL_FLAG(bool, once, false, "Same as --max_clients=1.");
ABSL_FLAG(absl::Duration, client_timeout, absl::Seconds(30),
          "Give up on a client that sends nothing for this long (inf: wait "
          "forever, like the seed).");

namespace {

bool InRange(int32_t value, int32_t low, int32_t high, const char* name) {
  if (value >= low && value <= high) return true;
  std::fprintf(stderr, "socket_server: --%s=%d is out of range %d..%d\n", name,
               value, low, high);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "socket_server [--host=127.0.0.1] [--port=9876] [flags]: the seed's "
      "iterative TCP server that echoes book titles.");
  const int32_t port = absl::GetFlag(FLAGS_port);
  const int32_t backlog = absl::GetFlag(FLAGS_backlog);
  const int32_t buffer_size = absl::GetFlag(FLAGS_buffer_size);
  const int32_t exchanges = absl::GetFlag(FLAGS_exchanges);
  if (!InRange(port, 0, 65535, "port") ||
      !InRange(backlog, 0, 1 << 16, "backlog") ||
      !InRange(buffer_size, 1, 1 << 24, "buffer_size") ||
      !InRange(exchanges, 0, 1 << 20, "exchanges")) {
    return 2;
  }
  if (absl::GetFlag(FLAGS_max_clients) < 0) {
    std::fprintf(stderr,
                 "socket_server: --max_clients=%lld: must be 0 (serve "
                 "forever) or more\n",
                 static_cast<long long>(absl::GetFlag(FLAGS_max_clients)));
    return 2;
  }
  if (absl::GetFlag(FLAGS_client_timeout) <= absl::ZeroDuration()) {
    std::fprintf(stderr, "socket_server: --client_timeout must be positive\n");
    return 2;
  }
  absl::StatusOr<ipcbox::SocketAddress> address = ipcbox::SocketAddress::Inet(
      absl::GetFlag(FLAGS_host), static_cast<uint16_t>(port));
  if (!address.ok()) {
    std::fprintf(stderr, "socket_server: --host: %s\n",
                 address.status().ToString().c_str());
    return 2;
  }
  ipcbox::examples::BookServerOptions options;
  options.buffer_size = static_cast<size_t>(buffer_size);
  options.exchanges = exchanges;
  options.max_clients =
      absl::GetFlag(FLAGS_once) ? 1 : absl::GetFlag(FLAGS_max_clients);
  options.client_timeout = absl::GetFlag(FLAGS_client_timeout);

  absl::StatusOr<ipcbox::StreamListener> listener =
      ipcbox::examples::ListenForBookClients(*address, backlog);
  if (!listener.ok()) {
    std::fprintf(stderr, "socket_server: %s\n",
                 listener.status().ToString().c_str());
    return 1;
  }
  const uint16_t bound = listener->LocalAddress().ok()
                             ? *listener->LocalAddress()->port()
                             : static_cast<uint16_t>(port);
  std::fprintf(stderr, "%s\n", ipcbox::examples::ListeningLine(bound).c_str());
  absl::Status served =
      ipcbox::examples::ServeBookClients(*listener, options, stdout, stderr);
  if (!served.ok()) {
    std::fprintf(stderr, "socket_server: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
