// The crash suite on socket_server and socket_client (examples/socket, the
// book echo): a client whose server is killed prints the whole
// conversation or fails with a message, within its timeout.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "examples/socket/book_echo.h"
#include "gtest/gtest.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
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
    options.client_timeout = PeerTimeout();
    return Report(examples::ServeBookClients(*shared, options, out, err),
                  "socket_server", err);
  };
  // The parent's copy closed, a killed server's port is really gone.
  in.trial.after_first_forked = [shared] { (void)shared->Close(); };
  in.trial.second = [port](std::FILE* out, std::FILE* err) {
    examples::BookClientOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.timeout = PeerTimeout();
    return Report(examples::RunBookClient(options, out), "socket_client", err);
  };
  in.trial.peer = peer;
  if (peer == CrashTrial::kSecond) {
    // A client killed before it connected leaves the server waiting for
    // one, as servers do: a client that connects and leaves at once ends
    // that wait (and is refused if the server is done already).
    in.trial.after_peer_ended = [port] {
      absl::StatusOr<StreamSocket> last = StreamSocket::ConnectFor(
          SocketAddress::Ipv4Loopback(port), PeerTimeout());
      (void)last;
    };
    // The server prints what it received, each title whole: a client
    // killed part-way through leaves fewer lines, never a torn one.
    in.sound_partial = [](const std::string& out) {
      for (absl::string_view line :
           absl::StrSplit(out, '\n', absl::SkipEmpty())) {
        bool title = false;
        for (absl::string_view book : examples::kBooks) {
          title = title || line == book;
        }
        if (!title) return false;
      }
      return true;
    };
  }
  return in;
}

TEST(CrashTest, SocketClientKilled) {
  RunKillPoints(
      "socket_client killed, socket_server survives",
      [](const Place& p) { return BookEcho(p, CrashTrial::kSecond); });
}

TEST(CrashTest, SocketServerKilled) {
  RunKillPoints("socket_server killed, socket_client survives",
                [](const Place& p) { return BookEcho(p, CrashTrial::kFirst); });
}

}  // namespace
}  // namespace ipcbox::testing
