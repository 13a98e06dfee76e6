// TCP and UDP over IPv4 and IPv6 loopback: echo, kernel-chosen ports,
// datagram truncation, connect refused and timed out, SO_REUSEADDR with a
// connection in TIME_WAIT, TCP_NODELAY, shutdown of one direction. Only
// 127.0.0.1 and ::1 are used; IPv6 tests skip where ::1 cannot be bound.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_listener.h"
#include "tests/socket/socket_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

// A listener on `loopback` (port 0) and the address clients connect to.
struct Server {
  StreamListener listener;
  SocketAddress address;
};

absl::StatusOr<Server> ListenOnLoopback(const SocketAddress& loopback,
                                        ListenOptions options = {}) {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(loopback, options);
  if (!listener.ok()) return listener.status();
  absl::StatusOr<SocketAddress> bound = listener->LocalAddress();
  if (!bound.ok()) return bound.status();
  return Server{*std::move(listener), *bound};
}

// A port on which nothing listens (just released by the kernel).
uint16_t ClosedPort(const SocketAddress& loopback) {
  absl::StatusOr<Server> server = ListenOnLoopback(loopback);
  if (!server.ok()) return 0;
  return *server->address.port();
}

void ExpectTcpEcho(const SocketAddress& loopback) {
  absl::StatusOr<Server> server = ListenOnLoopback(loopback);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE(server->address.port(), 0);
  EXPECT_EQ(server->address.family(), loopback.family());

  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(server->address, Soon());
    if (!client.ok()) return 2;
    if (!client->SendAll("War and Peace", Soon()).ok()) return 3;
    char echo[13];
    if (!client->ReceiveFull(absl::MakeSpan(echo), Soon()).ok()) return 4;
    return absl::string_view(echo, 13) == "War and Peace" ? 0 : 5;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  SocketAddress peer;
  AcceptOptions accept;
  accept.peer = &peer;
  absl::StatusOr<StreamSocket> conn =
      server->listener.AcceptUntil(Soon(), accept);
  ASSERT_TRUE(conn.ok()) << conn.status();
  EXPECT_EQ(peer.family(), loopback.family());
  EXPECT_EQ(*conn->PeerAddress(), peer);
  char buf[13];
  ASSERT_TRUE(conn->ReceiveFull(absl::MakeSpan(buf), Soon()).ok());
  ASSERT_TRUE(conn->SendAll(absl::string_view(buf, 13), Soon()).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(TcpTest, EchoOverIpv4Loopback) {
  ExpectTcpEcho(SocketAddress::Ipv4Loopback(0));
}

TEST(TcpTest, EchoOverIpv6Loopback) {
  IPCBOX_SKIP_WITHOUT_IPV6();
  ExpectTcpEcho(SocketAddress::Ipv6Loopback(0));
}

TEST(TcpTest, ConnectToAClosedPortIsRefused) {
  const SocketAddress closed =
      SocketAddress::Ipv4Loopback(ClosedPort(SocketAddress::Ipv4Loopback(0)));
  absl::StatusOr<StreamSocket> client = StreamSocket::Connect(closed, Soon());
  ASSERT_FALSE(client.ok());
  EXPECT_FALSE(IsTimedOut(client.status()));
  EXPECT_THAT(client.status().message(), HasSubstr("Connection refused"));
  EXPECT_THAT(client.status().message(), HasSubstr(closed.ToString()));
}

TEST(TcpTest, ConnectToAClosedIpv6PortIsRefused) {
  IPCBOX_SKIP_WITHOUT_IPV6();
  const SocketAddress closed =
      SocketAddress::Ipv6Loopback(ClosedPort(SocketAddress::Ipv6Loopback(0)));
  absl::StatusOr<StreamSocket> client = StreamSocket::Connect(closed, Soon());
  EXPECT_THAT(client.status().message(), HasSubstr("Connection refused"));
}

// A listener with backlog 0 queues one completed connection; Linux then
// drops further SYNs while the accept queue stays full, so the next connect
// hangs in SYN_SENT: a reliable loopback-only way to make a connect time out.
TEST(TcpTest, ConnectTimesOutWhileTheBacklogIsFull) {
  ListenOptions options;
  options.backlog = 0;
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0), options);
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<StreamSocket> queued;
  constexpr absl::Duration kTimeout = absl::Milliseconds(300);
  bool timed_out = false;
  // Normally the second connect times out; allow for a kernel that queues
  // a few more before it starts dropping.
  for (int i = 0; i < 8 && !timed_out; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<StreamSocket> client =
        StreamSocket::ConnectFor(server->address, kTimeout);
    if (client.ok()) {
      queued.push_back(*std::move(client));
      continue;
    }
    ASSERT_TRUE(IsTimedOut(client.status())) << client.status();
    EXPECT_GE(absl::Now() - start, kTimeout);  // did not give up early
    timed_out = true;
  }
  EXPECT_TRUE(timed_out) << "8 connects to a backlog-0 listener all succeeded";
  // Accepting makes room again.
  absl::StatusOr<StreamSocket> first = server->listener.AcceptUntil(Soon());
  ASSERT_TRUE(first.ok()) << first.status();
}

TEST(TcpTest, ReuseAddressRebindsWithAConnectionInTimeWait) {
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  const SocketAddress address = server->address;
  {
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(address, Soon());
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<StreamSocket> conn = server->listener.AcceptUntil(Soon());
    ASSERT_TRUE(conn.ok()) << conn.status();
    // The server closes first: its end of the connection, on the listening
    // port, goes to TIME_WAIT.
    ASSERT_TRUE(conn->Close().ok());
    char byte;
    EXPECT_TRUE(IsEndOfStream(
        client->ReceiveUntil(absl::MakeSpan(&byte, 1), Soon()).status()));
  }
  ASSERT_TRUE(server->listener.Close().ok());

  ListenOptions no_reuse;
  no_reuse.reuse_address = false;
  absl::StatusOr<StreamListener> refused =
      StreamListener::Listen(address, no_reuse);
  EXPECT_THAT(refused.status().message(), HasSubstr("Address already in use"));

  absl::StatusOr<StreamListener> rebound = StreamListener::Listen(address);
  EXPECT_TRUE(rebound.ok()) << rebound.status();
}

TEST(TcpTest, NoDelay) {
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  ConnectOptions options;
  options.no_delay = true;
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(server->address, Soon(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  int value = 0;
  socklen_t size = sizeof(value);
  ASSERT_EQ(
      ::getsockopt(client->fd().get(), IPPROTO_TCP, TCP_NODELAY, &value, &size),
      0);
  EXPECT_NE(value, 0);
  ASSERT_TRUE(client->SetNoDelay(false).ok());
  ASSERT_EQ(
      ::getsockopt(client->fd().get(), IPPROTO_TCP, TCP_NODELAY, &value, &size),
      0);
  EXPECT_EQ(value, 0);

  absl::StatusOr<SocketPair<StreamSocket>> unix_pair = CreateStreamSocketPair();
  ASSERT_TRUE(unix_pair.ok());
  EXPECT_FALSE(unix_pair->first.SetNoDelay(true).ok());
}

TEST(TcpTest, ShutdownOfTheWriteDirectionOnly) {
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(server->address, Soon());
    if (!client.ok()) return 2;
    if (!client->SendAll("request", Soon()).ok()) return 3;
    // "That was all": the server reads end-of-stream...
    if (!client->Shutdown(ShutdownDirection::kWrite).ok()) return 4;
    // ...and can still answer.
    char reply[5];
    if (!client->ReceiveFull(absl::MakeSpan(reply), Soon()).ok()) return 5;
    return absl::string_view(reply, 5) == "reply" ? 0 : 6;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<StreamSocket> conn = server->listener.AcceptUntil(Soon());
  ASSERT_TRUE(conn.ok()) << conn.status();
  absl::StatusOr<std::string> request = ReceiveToEnd(*conn, /*chunk=*/4);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(*request, "request");
  EXPECT_TRUE(conn->SendAll("reply", Soon()).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(TcpTest, ShutdownOfTheReadDirection) {
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(server->address, Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<StreamSocket> conn = server->listener.AcceptUntil(Soon());
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE(client->Shutdown(ShutdownDirection::kRead).ok());
  char byte;
  EXPECT_TRUE(
      IsEndOfStream(client->Receive(absl::MakeSpan(&byte, 1)).status()));
  // Writing still works.
  ASSERT_TRUE(client->SendAll("x", Soon()).ok());
  EXPECT_TRUE(conn->ReceiveFull(absl::MakeSpan(&byte, 1), Soon()).ok());
}

TEST(TcpTest, Ipv6OnlyListenerIgnoresIpv4Clients) {
  IPCBOX_SKIP_WITHOUT_IPV6();
  absl::StatusOr<Server> server = ListenOnLoopback(SocketAddress::Ipv6Any(0));
  ASSERT_TRUE(server.ok()) << server.status();
  const SocketAddress v4 = SocketAddress::Ipv4Loopback(*server->address.port());
  absl::StatusOr<StreamSocket> client = StreamSocket::Connect(v4, Soon());
  EXPECT_THAT(client.status().message(), HasSubstr("Connection refused"));
}

void ExpectUdpRoundTrip(const SocketAddress& loopback) {
  absl::StatusOr<DatagramSocket> server = DatagramSocket::Bind(loopback);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<SocketAddress> server_address = server->LocalAddress();
  ASSERT_TRUE(server_address.ok());
  ASSERT_NE(server_address->port(), 0);
  absl::StatusOr<DatagramSocket> client =
      DatagramSocket::Open(loopback.family());
  ASSERT_TRUE(client.ok()) << client.status();

  ASSERT_TRUE(client->SendTo("ping", *server_address).ok());
  char buf[64];
  SocketAddress from;
  absl::StatusOr<size_t> n =
      server->ReceiveUntil(absl::MakeSpan(buf), Soon(), &from);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "ping");
  EXPECT_EQ(from.family(), loopback.family());
  ASSERT_TRUE(server->SendToUntil("pong", from, Soon()).ok());
  n = client->ReceiveFor(absl::MakeSpan(buf), kPatience);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "pong");
}

TEST(UdpTest, RoundTripOverIpv4Loopback) {
  ExpectUdpRoundTrip(SocketAddress::Ipv4Loopback(0));
}

TEST(UdpTest, RoundTripOverIpv6Loopback) {
  IPCBOX_SKIP_WITHOUT_IPV6();
  ExpectUdpRoundTrip(SocketAddress::Ipv6Loopback(0));
}

TEST(UdpTest, ADatagramOverTheBufferIsReportedNotCut) {
  absl::StatusOr<DatagramSocket> server =
      DatagramSocket::Bind(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Open(AF_INET);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client->Connect(*server->LocalAddress()).ok());
  ASSERT_TRUE(client->Send(std::string(2000, 'u')).ok());
  ASSERT_TRUE(client->Send("fits").ok());
  char buf[512];
  absl::StatusOr<size_t> n = server->ReceiveUntil(absl::MakeSpan(buf), Soon());
  ASSERT_TRUE(absl::IsResourceExhausted(n.status())) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("2000 bytes"));
  EXPECT_THAT(n.status().message(), HasSubstr("512-byte buffer"));
  n = server->ReceiveUntil(absl::MakeSpan(buf), Soon());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "fits");
}

TEST(UdpTest, ADatagramOverTheProtocolLimitFailsToSend) {
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Open(AF_INET);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::Status sent =
      client->SendTo(std::string(70000, 'u'), SocketAddress::Ipv4Loopback(9));
  EXPECT_THAT(sent.message(), HasSubstr("Message too long"));
}

TEST(UdpTest, ConnectedToAClosedPortSeesTheRefusal) {
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Open(AF_INET);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<DatagramSocket> placeholder =
      DatagramSocket::Bind(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(placeholder.ok());
  const SocketAddress closed = *placeholder->LocalAddress();
  ASSERT_TRUE(placeholder->Close().ok());
  ASSERT_TRUE(client->Connect(closed).ok());
  ASSERT_TRUE(client->Send("anyone?").ok());
  char buf[8];
  // The ICMP port-unreachable comes back as ECONNREFUSED.
  absl::StatusOr<size_t> n = client->ReceiveUntil(absl::MakeSpan(buf), Soon());
  EXPECT_THAT(n.status().message(), HasSubstr("Connection refused"));
}

TEST(UnixConnectTest, TimesOutWhileTheBacklogIsFull) {
  ScopedSocketPath path("connect_full");
  absl::StatusOr<StreamListener> listener =
      ListenWithMinimalBacklog(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::vector<StreamSocket> queued;
  bool timed_out = false;
  constexpr absl::Duration kTimeout = absl::Milliseconds(300);
  for (int i = 0; i < 8 && !timed_out; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<StreamSocket> client =
        StreamSocket::ConnectFor(path.address(), kTimeout);
    if (client.ok()) {
      queued.push_back(*std::move(client));
      continue;
    }
    ASSERT_TRUE(IsTimedOut(client.status())) << client.status();
    EXPECT_GE(absl::Now() - start, kTimeout);
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  // A connection made under a deadline does not keep the connect timeout
  // for its sends.
  ASSERT_FALSE(queued.empty());
  timeval tv = {1, 1};
  socklen_t size = sizeof(tv);
  ASSERT_EQ(
      ::getsockopt(queued[0].fd().get(), SOL_SOCKET, SO_SNDTIMEO, &tv, &size),
      0);
  EXPECT_EQ(tv.tv_sec, 0);
  EXPECT_EQ(tv.tv_usec, 0);
}

TEST(UnixConnectTest, AWaitingConnectGoesThroughWhenTheServerAccepts) {
  ScopedSocketPath path("connect_wait");
  absl::StatusOr<StreamListener> listener =
      ListenWithMinimalBacklog(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  // Fill the backlog.
  std::vector<StreamSocket> queued;
  for (int i = 0; i < 8; ++i) {
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(path.address(), Deadline::Expired());
    if (!client.ok()) break;
    queued.push_back(*std::move(client));
  }
  absl::StatusOr<ChildProcess> server = ForkChild([&] {
    absl::SleepFor(absl::Milliseconds(200));
    for (size_t i = 0; i <= queued.size(); ++i) {
      if (!listener->AcceptUntil(Soon()).ok()) return 2;
    }
    return 0;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<StreamSocket> waiting =
      StreamSocket::Connect(path.address(), Soon());
  EXPECT_TRUE(waiting.ok()) << waiting.status();
  EXPECT_TRUE(ExitedWith(server->Wait(kPatience), 0));
}

TEST(ListenerTest, NonBlockingAcceptAndTimedAccept) {
  ListenOptions options;
  options.nonblocking = true;
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0), options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(IsWouldBlock(server->listener.Accept().status()));
  const absl::Time start = absl::Now();
  EXPECT_TRUE(
      IsTimedOut(server->listener.AcceptFor(absl::Milliseconds(100)).status()));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));

  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(server->address, Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  AcceptOptions accept;
  accept.nonblocking = true;
  absl::StatusOr<StreamSocket> conn =
      server->listener.AcceptUntil(Soon(), accept);
  ASSERT_TRUE(conn.ok()) << conn.status();
  EXPECT_TRUE(conn->nonblocking());
  EXPECT_TRUE(::fcntl(conn->fd().get(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(conn->fd().get(), F_GETFD) & FD_CLOEXEC);
}

TEST(ListenerTest, BlockingListenerTimedAccept) {
  absl::StatusOr<Server> server =
      ListenOnLoopback(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(
      IsTimedOut(server->listener.AcceptUntil(Deadline::Expired()).status()));
}

}  // namespace
}  // namespace ipcbox::testing
