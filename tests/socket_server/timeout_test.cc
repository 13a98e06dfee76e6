// ConcurrentServer's idle and write-stall timeouts: idle clients and a
// client that never reads are closed after their timeout with a status
// that says which timeout and how long, their slots serve newcomers, and a
// client that keeps talking is not closed. Loopback only; every wait is
// bounded.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "tests/socket_server/server_test_util.h"

namespace ipcbox::testing {
namespace {

TEST(ConcurrentServerTimeoutTest, RejectsTimeoutsThatAreNotPositive) {
  RecordingEchoHandler echo;
  for (absl::Duration bad : {absl::ZeroDuration(), absl::Seconds(-1)}) {
    ConcurrentServerOptions idle;
    idle.idle_timeout = bad;
    absl::StatusOr<StreamListener> l1 = ListenOnLoopback();
    ASSERT_TRUE(l1.ok());
    EXPECT_EQ(
        ConcurrentServer::Create(*std::move(l1), echo, idle).status().code(),
        absl::StatusCode::kInvalidArgument);
    ConcurrentServerOptions stall;
    stall.write_stall_timeout = bad;
    absl::StatusOr<StreamListener> l2 = ListenOnLoopback();
    ASSERT_TRUE(l2.ok());
    EXPECT_EQ(
        ConcurrentServer::Create(*std::move(l2), echo, stall).status().code(),
        absl::StatusCode::kInvalidArgument);
  }
}

TEST(ConcurrentServerTimeoutTest,
     IdleClientsAreClosedAndTheirSlotsServeOthers) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 3;
  options.refusal_message = "busy\n";
  options.idle_timeout = absl::Milliseconds(300);
  options.write_stall_timeout = absl::InfiniteDuration();
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  const SocketAddress address = AddressOf(*server);

  // Three clients that connect and say nothing fill the table.
  std::vector<StreamSocket> idle;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<StreamSocket> c = Connect(address);
    ASSERT_TRUE(c.ok()) << c.status();
    idle.push_back(*std::move(c));
  }
  // Each is closed: the server ends its stream.
  for (StreamSocket& c : idle) {
    absl::StatusOr<std::string> rest = ReadToEnd(c);
    ASSERT_TRUE(rest.ok()) << rest.status();
    EXPECT_EQ(*rest, "");
  }
  ASSERT_TRUE(WaitForStats(*server, [](const ConcurrentServerStats& s) {
    return s.idle_timeouts == 3 && s.active == 0;
  }));
  EXPECT_EQ(server->stats().write_stall_timeouts, 0);
  for (const auto& closed : echo.closed()) {
    EXPECT_EQ(closed.reason.code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_TRUE(absl::StrContains(closed.reason.message(), "idle for 300ms"))
        << closed.reason;
  }

  // A newcomer is served.
  absl::StatusOr<StreamSocket> next = Connect(address);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(EchoRoundTrip(*next, "served").ok());
}

TEST(ConcurrentServerTimeoutTest, AClientThatKeepsTalkingIsNotIdle) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.idle_timeout = absl::Seconds(1);
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> talker = Connect(AddressOf(*server));
  ASSERT_TRUE(talker.ok()) << talker.status();
  // Talks for three idle periods, never silent for more than a tenth.
  const absl::Time until = absl::Now() + absl::Seconds(3);
  int rounds = 0;
  while (absl::Now() < until) {
    ASSERT_TRUE(EchoRoundTrip(*talker, SeededPattern(rounds, 100)).ok())
        << "round " << rounds;
    ++rounds;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(server->stats().idle_timeouts, 0);
  EXPECT_EQ(server->stats().active, 1);
}

TEST(ConcurrentServerTimeoutTest, AClientThatNeverReadsIsClosedAfterTheStall) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 1;
  options.refusal_message = "busy\n";
  options.idle_timeout = absl::InfiniteDuration();
  options.write_stall_timeout = absl::Seconds(1);
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  const SocketAddress address = AddressOf(*server);

  absl::StatusOr<StreamSocket> flooder = Connect(address);
  ASSERT_TRUE(flooder.ok()) << flooder.status();
  // Send without ever reading until the stream stalls (or the server has
  // already closed it).
  constexpr size_t kGiveUpAfter = size_t{256} << 20;
  const std::string chunk = SeededPattern(1, 64 * 1024);
  size_t sent = 0;
  for (;;) {
    ASSERT_LT(sent, kGiveUpAfter) << "the server never pushed back";
    absl::StatusOr<size_t> n = flooder->SendFor(chunk, absl::Milliseconds(200));
    if (!n.ok()) break;  // stalled (timed out), or closed by the server
    sent += *n;
  }
  ASSERT_TRUE(WaitForStats(*server, [](const ConcurrentServerStats& s) {
    return s.write_stall_timeouts == 1 && s.active == 0;
  }));
  EXPECT_EQ(server->stats().idle_timeouts, 0);
  ASSERT_EQ(echo.closed().size(), 1u);
  const absl::Status reason = echo.closed()[0].reason;
  EXPECT_EQ(reason.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(absl::StrContains(reason.message(), "no progress for 1s"))
      << reason;

  // Its one slot serves the next client.
  absl::StatusOr<StreamSocket> next = Connect(address);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(EchoRoundTrip(*next, "served").ok());
}

}  // namespace
}  // namespace ipcbox::testing
