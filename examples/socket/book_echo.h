// book_echo.h
//
// The seed article's socket example ("Example 1. The socket server",
// "Example 2. The socket client") as library functions, so that the
// socket_server and socket_client programs, their tests and the tour run
// the same code. Values default to the article's sock.h: PortNumber 9876,
// MaxConnects 8, BuffSize 256, ConversationLen 3, Host "localhost".
//
// The wire protocol is the seed's, byte for byte, so that each program
// talks to the other's original: the client writes a book title (no
// terminator); the server reads it with one read of up to BuffSize + 1
// bytes, prints it, and echoes its whole NUL-padded buffer (BuffSize + 1
// bytes); the client reads the echo and prints it up to the first NUL.
//
//   // server
//   absl::StatusOr<StreamListener> listener = ListenForBookClients(
//       SocketAddress::Ipv4Any(kPortNumber), kMaxConnects);
//   std::fprintf(stderr, "%s\n", ListeningLine(kPortNumber).c_str());
//   ServeBookClients(*listener, BookServerOptions(), stdout, stderr);
//
//   // client
//   RunBookClient(BookClientOptions(), stdout, stderr);
//
// Differences from the C originals, none visible on the wire: errors are
// reported (the seed ignores a failed write); the name is resolved with
// getaddrinfo at start-up, "localhost" without any resolver (see
// ipcbox/socket/resolve.h) instead of gethostbyname; the client reads the
// rest of a NUL-padded echo that arrived in pieces, so the next exchange
// starts on a record boundary; waits can be bounded; the server can stop
// after a number of clients (the seed's runs until killed); and the client
// closes first (it shuts its sending side down after the last title, and
// the server waits up to a second for that), so that TIME_WAIT lands on the
// client's port rather than on 9876, where it would stop a server without
// SO_REUSEADDR, such as the seed's, from restarting for a minute.

#ifndef IPCBOX_EXAMPLES_SOCKET_BOOK_ECHO_H_
#define IPCBOX_EXAMPLES_SOCKET_BOOK_ECHO_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"

namespace ipcbox::examples {

// sock.h
inline constexpr uint16_t kPortNumber = 9876;
inline constexpr int kMaxConnects = 8;
inline constexpr size_t kBuffSize = 256;
inline constexpr int kConversationLen = 3;
inline constexpr absl::string_view kHost = "localhost";

// What the client sends, in order (again from the start if there are more
// exchanges than books).
inline constexpr absl::string_view kBooks[] = {
    "War and Peace", "Pride and Prejudice", "The Sound and the Fury"};

// "Listening on port 9876 for clients..." (the server prints it on stderr).
std::string ListeningLine(uint16_t port);
// "Connect to server, about to write some stuff..."
inline constexpr absl::string_view kClientConnectedLine =
    "Connect to server, about to write some stuff...";
// "Client done, about to exit..."
inline constexpr absl::string_view kClientDoneLine =
    "Client done, about to exit...";

// A TCP listener on `address` (the seed binds INADDR_ANY) with `backlog`,
// and SO_REUSEADDR so that a restarted server can bind at once.
absl::StatusOr<StreamListener> ListenForBookClients(
    const SocketAddress& address, int backlog = kMaxConnects);

struct BookServerOptions {
  size_t buffer_size = kBuffSize;    // the echo is buffer_size + 1 bytes
  int exchanges = kConversationLen;  // reads per client
  int64_t max_clients = 0;           // 0: serve forever, as the seed does
  // Bound on each read from a client, so a stalled client cannot hold the
  // (iterative) server forever. The seed waits forever.
  absl::Duration client_timeout = absl::InfiniteDuration();
};

// The seed's accept loop: for each client, `exchanges` times, one read,
// the text printed to `out` as puts() would, the padded buffer echoed.
// A client's failure is printed to `err` and the server goes on. Returns
// after `max_clients`, or on a listener error.
absl::Status ServeBookClients(StreamListener& listener,
                              const BookServerOptions& options, std::FILE* out,
                              std::FILE* err);

struct BookClientOptions {
  std::string host = std::string(kHost);
  uint16_t port = kPortNumber;
  size_t buffer_size = kBuffSize;
  int exchanges = kConversationLen;
  // Bound on the connect and on each wait for an echo.
  absl::Duration timeout = absl::Seconds(10);
};

// The seed's client: connect, print kClientConnectedLine, send each title
// and print its echo, print kClientDoneLine. Fails if the host cannot be
// resolved or reached, or a send or receive fails.
absl::Status RunBookClient(const BookClientOptions& options, std::FILE* out);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SOCKET_BOOK_ECHO_H_
