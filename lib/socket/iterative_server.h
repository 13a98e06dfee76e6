// iterative_server.h
//
// The seed's server loop, made reusable: accept one client, serve it to
// completion, close it, accept the next. Simple and allocation-free, and
// fine where clients are few and quick (a configuration socket, a debug
// port); a client that stalls makes everyone behind it wait, so give the
// handler deadlines, or use lib/socket_server's `ConcurrentServer`.
//
// Example (an echo server that serves three clients and returns):
//
//   IterativeServerOptions options;
//   options.max_clients = 3;
//   absl::Status s = ServeIteratively(listener, [](StreamSocket& client) {
//     char buf[256];
//     for (;;) {
//       absl::StatusOr<size_t> n = client.ReceiveFor(absl::MakeSpan(buf),
//                                                    absl::Seconds(5));
//       if (IsEndOfStream(n.status())) return absl::OkStatus();
//       if (!n.ok()) return n.status();
//       absl::Status sent = client.SendAll(absl::string_view(buf, *n));
//       if (!sent.ok()) return sent;
//     }
//   }, options);
//
// A client's failure (an error from the handler, a silent client past
// `client_timeout`, EMFILE) is counted and reported to `on_client_error`, and
// the server goes on; only an error of the listener ends the loop.

#ifndef IPCBOX_SOCKET_ITERATIVE_SERVER_H_
#define IPCBOX_SOCKET_ITERATIVE_SERVER_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/peer_credentials.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox {

struct IterativeServerOptions {
  // Return OK after this many clients were accepted (served, failed or
  // refused). 0: serve forever, like the seed. Negative: kInvalidArgument.
  int64_t max_clients = 0;
  // Stop waiting for clients at this point: `ServeIteratively()` returns
  // `TimedOutError()`. A client being served is not interrupted.
  Deadline deadline = Deadline::Infinite();
  // Unix sockets: clients whose uid (SO_PEERCRED) is not in the list are
  // closed without being served.
  std::optional<UidAllowList> allowed_uids;
  // Give the handler non-blocking connections.
  bool nonblocking_clients = false;
  // A blocking receive or send on a client (one without a deadline) fails
  // after this long without progress. absl::InfiniteDuration(): wait
  // forever, like the seed. Must be positive.
  absl::Duration client_timeout = absl::Seconds(30);
  // Told about each client that failed or was refused, and about accept
  // errors the server survives. Runs on the serving thread.
  std::function<void(const absl::Status&)> on_client_error;
};

struct IterativeServerStats {
  int64_t served = 0;   // the handler returned OK
  int64_t failed = 0;   // the handler returned an error
  int64_t refused = 0;  // not allowed by `allowed_uids`
};

// Serves clients of `listener` one at a time with `serve_client`, which
// owns the connection for the call (it is closed afterwards). Returns OK
// after `max_clients`, `TimedOutError()` at the deadline, the listener's
// error, or kInvalidArgument for a negative `max_clients` or a
// `client_timeout` that is not positive. `stats`, if given, is updated as
// clients come and go.
absl::Status ServeIteratively(
    StreamListener& listener,
    absl::FunctionRef<absl::Status(StreamSocket& client)> serve_client,
    const IterativeServerOptions& options = {},
    IterativeServerStats* stats = nullptr);

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_ITERATIVE_SERVER_H_
