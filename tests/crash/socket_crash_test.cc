// The crash suite on socket_server and socket_client (examples/socket, the
// book echo): a client whose server is killed prints the whole
// conversation or fails with a message, within its timeout.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "examples/socket/book_echo.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"
#include "tests/crash/kill_points.h"

namespace ipcbox::testing {
namespace {

Instance BookEcho(const Place&, CrashTrial::Which peer) {
  Instance in;
  absl::StatusOr<StreamListener> listener =
      examples::ListenForBookClients(SocketAddress::Ipv4Loopback(0));
  EXPECT_TRUE(listener.ok()) << listener.status();
  if (!listener.ok()) return in;
  auto shared = std::make_shared<StreamListener>(*std::move(listener));
  absl::StatusOr<SocketAddress> address = shared->LocalAddress();
  EXPECT_TRUE(address.ok()) << address.status();
  const uint16_t port = address.ok() ? address->port().value_or(0) : 0;
  in.keep = shared;
  in.trial.first = [shared](std::FILE* out, std::FILE* err) {
    examples::BookServerOptions options;
    options.max_clients = 1;
    options.client_timeout = kPeerTimeout;
    return Report(examples::ServeBookClients(*shared, options, out, err),
                  "socket_server", err);
  };
  // The parent's copy closed, a killed server's port is really gone.
  in.trial.after_first_forked = [shared] { (void)shared->Close(); };
  in.trial.second = [port](std::FILE* out, std::FILE* err) {
    examples::BookClientOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.timeout = kPeerTimeout;
    return Report(examples::RunBookClient(options, out), "socket_client", err);
  };
  in.trial.peer = peer;
  // The iterative server logs a failed client and goes on.
  in.partial_with_error_ok = true;
  return in;
}

TEST(CrashTest, SocketServerKilled) {
  RunKillPoints("socket_server killed, socket_client survives",
                [](const Place& p) { return BookEcho(p, CrashTrial::kFirst); });
}

}  // namespace
}  // namespace ipcbox::testing
