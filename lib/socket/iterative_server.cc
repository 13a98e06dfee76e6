#include "ipcbox/socket/iterative_server.h"

#include <sys/socket.h>
#include <time.h>

#include <cerrno>

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/peer_credentials.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox {
namespace {

void BackOffAfterResourceError() {
  struct timespec pause = {0, 10 * 1000 * 1000};
  ::nanosleep(&pause, nullptr);
}

// Whether `client` may be served; reports a refusal.
bool Admit(const StreamSocket& client, const IterativeServerOptions& options) {
  if (!options.allowed_uids.has_value()) return true;
  absl::StatusOr<PeerCredentials> peer = GetPeerCredentials(client);
  if (peer.ok() && options.allowed_uids->Allows(peer->uid)) return true;
  if (options.on_client_error) {
    options.on_client_error(peer.ok() ? options.allowed_uids->Check(*peer)
                                      : peer.status());
  }
  return false;
}

// Bounds the blocking receives and sends the handler makes on `client`.
absl::Status SetClientTimeout(const StreamSocket& client,
                              absl::Duration timeout) {
  const struct timeval tv = absl::ToTimeval(timeout);
  for (int option : {SO_RCVTIMEO, SO_SNDTIMEO}) {
    if (::setsockopt(client.fd().get(), SOL_SOCKET, option, &tv, sizeof(tv)) !=
        0) {
      return ErrnoError(errno,
                        option == SO_RCVTIMEO ? "setsockopt(SO_RCVTIMEO)"
                                              : "setsockopt(SO_SNDTIMEO)",
                        client.fd().get());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ServeIteratively(
    StreamListener& listener,
    absl::FunctionRef<absl::Status(StreamSocket& client)> serve_client,
    const IterativeServerOptions& options, IterativeServerStats* stats) {
  const bool bound_clients = options.client_timeout != absl::InfiniteDuration();
  if (options.max_clients < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServeIteratively: max_clients must be 0 (no limit) or more, not ",
        options.max_clients));
  }
  if (options.client_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ServeIteratively: client_timeout must be positive, not ",
                     absl::FormatDuration(options.client_timeout)));
  }
  IterativeServerStats local;
  IterativeServerStats& counts = stats != nullptr ? *stats : local;
  AcceptOptions accept_options;
  accept_options.nonblocking = options.nonblocking_clients;
  for (int64_t accepted = 0;
       options.max_clients == 0 || accepted < options.max_clients;) {
    absl::StatusOr<StreamSocket> client =
        listener.AcceptUntil(options.deadline, accept_options);
    if (absl::IsResourceExhausted(client.status())) {
      if (options.on_client_error) options.on_client_error(client.status());
      BackOffAfterResourceError();
      continue;
    }
    if (!client.ok()) return client.status();
    ++accepted;
    if (!Admit(*client, options)) {
      ++counts.refused;
      continue;  // the connection closes as `client` goes
    }
    absl::Status served = absl::OkStatus();
    if (bound_clients && !options.nonblocking_clients) {
      served = SetClientTimeout(*client, options.client_timeout);
    }
    if (served.ok()) served = serve_client(*client);
    if (bound_clients && IsWouldBlock(served)) {
      // A blocking call on the client timed out (SO_RCVTIMEO/SO_SNDTIMEO).
      served = TimedOutError(
          absl::StrCat("client made no progress for ",
                       absl::FormatDuration(options.client_timeout),
                       " (client_timeout): ", served.message()));
    }
    if (served.ok()) {
      ++counts.served;
    } else {
      ++counts.failed;
      if (options.on_client_error) options.on_client_error(served);
    }
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
