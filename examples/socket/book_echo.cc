#include "examples/socket/book_echo.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/timeout_error.h"
#include "ipcbox/socket/iterative_server.h"
#include "ipcbox/socket/resolve.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox::examples {
namespace {

// puts(): the text and a newline. Flushed, so that a server killed by a
// signal (the seed's is stopped with Ctrl+C) has printed every line.
void PutLine(std::FILE* out, absl::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

// What puts(buffer) prints of the `n` bytes read into a zeroed buffer: up
// to the first NUL.
absl::string_view AsCString(absl::Span<const char> buffer, size_t n) {
  const char* end =
      static_cast<const char*>(std::memchr(buffer.data(), '\0', n));
  return absl::string_view(
      buffer.data(),
      end == nullptr ? n : static_cast<size_t>(end - buffer.data()));
}

// After the conversation, give the client a moment to close first. The
// side that closes first keeps the connection in TIME_WAIT for a minute,
// and a TIME_WAIT on the server's port stops a server without
// SO_REUSEADDR (the seed's) from binding it again; on the client's
// ephemeral port it harms nobody. A client that says nothing more is
// closed after the grace anyway; anything it still sends is ignored.
void LetTheClientCloseFirst(StreamSocket& client) {
  constexpr absl::Duration kGrace = absl::Seconds(1);
  const Deadline deadline = Deadline::After(kGrace);
  char discard[64];
  while (client.ReceiveUntil(absl::MakeSpan(discard), deadline).ok()) {
  }
}

absl::Status ServeOneClient(StreamSocket& client,
                            const BookServerOptions& options,
                            absl::Span<char> buffer, std::FILE* out) {
  for (int i = 0; i < options.exchanges; ++i) {
    std::fill(buffer.begin(), buffer.end(), '\0');
    const Deadline deadline = Deadline::After(options.client_timeout);
    absl::StatusOr<size_t> n = client.ReceiveUntil(buffer, deadline);
    // The seed's read() returns 0 from then on and it prints nothing.
    if (IsEndOfStream(n.status())) return absl::OkStatus();
    if (!n.ok()) return n.status();
    PutLine(out, AsCString(buffer, *n));
    // "echo as confirmation": the whole buffer, NUL padding included.
    absl::Status echoed = client.SendAll(
        absl::string_view(buffer.data(), buffer.size()), deadline);
    if (!echoed.ok()) return echoed;
  }
  LetTheClientCloseFirst(client);
  return absl::OkStatus();
}

// Sends the last title and, in the same TCP segment, the end of our
// sending side (TCP_CORK holds the title until shutdown() adds the FIN).
// Our side is then the one that closes first, so the connection's
// TIME_WAIT stays on our ephemeral port and not on the server's port,
// where it would stop a server without SO_REUSEADDR (the seed's) from
// binding again for a minute. A FIN sent separately could arrive after a
// fast server has already closed. The server reads nothing after the last
// title, so nothing it looks at changes.
absl::Status SendLastTitle(StreamSocket& socket, absl::string_view title,
                           const Deadline& deadline) {
  const int on = 1;
  const bool corked = socket.family() != AF_UNIX &&
                      ::setsockopt(socket.fd().get(), IPPROTO_TCP, TCP_CORK,
                                   &on, sizeof(on)) == 0;
  absl::Status sent = socket.SendAll(title, deadline);
  if (!sent.ok()) return sent;
  absl::Status shut = socket.Shutdown(ShutdownDirection::kWrite);
  if (corked) {
    const int off = 0;
    ::setsockopt(socket.fd().get(), IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
  }
  return shut;
}

}  // namespace

std::string ListeningLine(uint16_t port) {
  return absl::StrCat("Listening on port ", port, " for clients...");
}

absl::StatusOr<StreamListener> ListenForBookClients(
    const SocketAddress& address, int backlog) {
  ListenOptions options;
  options.backlog = backlog;
  return StreamListener::Listen(address, options);
}

absl::Status ServeBookClients(StreamListener& listener,
                              const BookServerOptions& options, std::FILE* out,
                              std::FILE* err) {
  if (options.exchanges < 0) {
    return absl::InvalidArgumentError("exchanges must not be negative");
  }
  std::vector<char> buffer(options.buffer_size + 1);  // BuffSize + 1, once
  IterativeServerOptions server;
  server.max_clients = options.max_clients;
  server.on_client_error = [err](const absl::Status& status) {
    std::fprintf(err, "client: %s\n", status.ToString().c_str());
    std::fflush(err);
  };
  return ServeIteratively(
      listener,
      [&](StreamSocket& client) {
        return ServeOneClient(client, options, absl::MakeSpan(buffer), out);
      },
      server);
}

absl::Status RunBookClient(const BookClientOptions& options, std::FILE* out) {
  if (options.exchanges < 0) {
    return absl::InvalidArgumentError("exchanges must not be negative");
  }
  absl::StatusOr<SocketAddress> server =
      ResolveHost(options.host, options.port);
  if (!server.ok()) return server.status();
  absl::StatusOr<StreamSocket> socket =
      StreamSocket::ConnectFor(*server, options.timeout);
  if (!socket.ok()) {
    return DescribeTimeout(socket.status(),
                           absl::StrCat("connect(", server->ToString(), ")"),
                           options.timeout);
  }
  PutLine(out, kClientConnectedLine);
  std::vector<char> buffer(options.buffer_size + 1);
  const size_t book_count = sizeof(kBooks) / sizeof(kBooks[0]);
  for (int i = 0; i < options.exchanges; ++i) {
    const Deadline deadline = Deadline::After(options.timeout);
    const bool last = i + 1 == options.exchanges;
    absl::Status sent =
        last ? SendLastTitle(*socket, kBooks[i % book_count], deadline)
             : socket->SendAll(kBooks[i % book_count], deadline);
    if (!sent.ok()) {
      return DescribeTimeout(
          sent, absl::StrCat("sending a title to ", server->ToString()),
          options.timeout);
    }
    std::fill(buffer.begin(), buffer.end(), '\0');
    absl::StatusOr<size_t> n =
        socket->ReceiveUntil(absl::MakeSpan(buffer), deadline);
    // The seed prints nothing here and goes on to report "done": a server
    // that died mid-conversation looked like a whole one (the crash suite
    // caught it on the armv7 board). A missing echo is an error.
    if (IsEndOfStream(n.status())) {
      return absl::DataLossError(absl::StrCat(
          "the server ", server->ToString(), " closed the connection after ", i,
          " of ", options.exchanges, " echoes"));
    }
    if (!n.ok()) {
      return DescribeTimeout(
          n.status(),
          absl::StrCat("waiting for the echo from ", server->ToString()),
          options.timeout);
    }
    const absl::string_view text = AsCString(buffer, *n);
    if (text.size() < *n && *n < buffer.size()) {
      // A NUL-padded echo that arrived in pieces: take the rest of it, so
      // that the next echo starts at its beginning.
      absl::Status rest =
          socket->ReceiveFull(absl::MakeSpan(buffer).subspan(*n), deadline);
      if (!rest.ok() && !IsEndOfStream(rest)) return rest;
    }
    PutLine(out, text);
  }
  PutLine(out, kClientDoneLine);
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
