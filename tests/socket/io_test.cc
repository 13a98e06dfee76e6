// Socket I/O between real processes: full-transfer loops over partial sends
// and receives, deadlines and non-blocking variants, EPIPE instead of a
// SIGPIPE death, ECONNRESET, a peer killed with SIGKILL mid-conversation,
// and timed sends to a full datagram receiver.

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
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
#include "tests/support/pattern.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

// Connected TCP loopback streams, `client` and `server`.
struct TcpConnection {
  StreamSocket client;
  StreamSocket server;
};

absl::StatusOr<TcpConnection> ConnectTcp() {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  if (!listener.ok()) return listener.status();
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(*listener->LocalAddress(), Soon());
  if (!client.ok()) return client.status();
  absl::StatusOr<StreamSocket> server = listener->AcceptUntil(Soon());
  if (!server.ok()) return server.status();
  return TcpConnection{*std::move(client), *std::move(server)};
}

// 4 MiB through a socket with a small send buffer, received in odd-sized pieces
// by another process: SendAll and ReceiveFull must loop over many partial
// transfers and lose nothing.
void ExpectLargeTransfer(StreamSocket& sender, StreamSocket& receiver,
                         bool nonblocking_sender) {
  constexpr size_t kSize = 4 << 20;
  // A small send buffer forces many partial sends. (Not a small receive
  // buffer: shrinking a TCP receive buffer after the handshake makes the
  // kernel drop segments and back off for seconds.)
  ASSERT_TRUE(sender.SetSendBufferSize(4096).ok());
  ASSERT_TRUE(sender.SetNonBlocking(nonblocking_sender).ok());
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    (void)sender.Close();
    std::string got(kSize, '\0');
    size_t done = 0;
    char chunk[997];  // prime: receives never line up with sends
    while (done < kSize) {
      const size_t want = std::min(sizeof(chunk), kSize - done);
      absl::Status s =
          receiver.ReceiveFull(absl::MakeSpan(chunk, want), Soon());
      if (!s.ok()) {
        ADD_FAILURE() << "after " << done << " bytes: " << s;
        return 2;
      }
      got.replace(done, want, chunk, want);
      done += want;
    }
    if (got != Pattern(kSize)) return 3;
    char byte;
    return IsEndOfStream(
               receiver.ReceiveUntil(absl::MakeSpan(&byte, 1), Soon()).status())
               ? 0
               : 4;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(receiver.Close().ok());
  const std::string data = Pattern(kSize);
  size_t sent = 0;
  absl::Status s = sender.SendAll(data, Soon(), &sent);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(sent, kSize);
  ASSERT_TRUE(sender.Close().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(StreamIoTest, LargeTransferOverAUnixPair) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ExpectLargeTransfer(pair->first, pair->second, /*nonblocking_sender=*/false);
}

TEST(StreamIoTest, LargeTransferOverTcpFromANonBlockingSender) {
  absl::StatusOr<TcpConnection> tcp = ConnectTcp();
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  ExpectLargeTransfer(tcp->client, tcp->server, /*nonblocking_sender=*/true);
}

TEST(StreamIoTest, ReceiveFullAcrossManySmallSends) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    (void)pair->second.Close();
    const std::string data = Pattern(100);
    for (size_t i = 0; i < data.size(); i += 7) {
      if (!pair->first.SendAll(data.substr(i, 7), Soon()).ok()) return 2;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(pair->first.Close().ok());
  char buf[100];
  size_t received = 0;
  ASSERT_TRUE(
      pair->second.ReceiveFull(absl::MakeSpan(buf), Soon(), &received).ok());
  EXPECT_EQ(received, 100u);
  EXPECT_EQ(absl::string_view(buf, 100), Pattern(100));
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(StreamIoTest, ReceiveFullTellsACleanEndFromATruncatedRecord) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->first.SendAll("abc").ok());
  ASSERT_TRUE(pair->first.Close().ok());
  char record[8];
  size_t received = 0;
  absl::Status s =
      pair->second.ReceiveFull(absl::MakeSpan(record), Soon(), &received);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_FALSE(IsEndOfStream(s));
  EXPECT_THAT(s.message(), HasSubstr("after 3 of 8 bytes"));
  EXPECT_EQ(received, 3u);
  s = pair->second.ReceiveFull(absl::MakeSpan(record), Soon(), &received);
  EXPECT_TRUE(IsEndOfStream(s)) << s;
  EXPECT_EQ(received, 0u);
}

TEST(StreamIoTest, NonBlockingCallsWouldBlock) {
  absl::StatusOr<SocketPair<StreamSocket>> pair =
      CreateStreamSocketPair(/*nonblocking=*/true);
  ASSERT_TRUE(pair.ok()) << pair.status();
  char buf[64];
  EXPECT_TRUE(IsWouldBlock(pair->first.Receive(absl::MakeSpan(buf)).status()));
  // Fill the socket until a send would block.
  ASSERT_TRUE(pair->first.SetSendBufferSize(4096).ok());
  const std::string chunk(4096, 'f');
  absl::StatusOr<size_t> n;
  for (int i = 0; i < 10000; ++i) {
    n = pair->first.Send(chunk);
    if (!n.ok()) break;
  }
  EXPECT_TRUE(IsWouldBlock(n.status())) << n.status();
  // A timed send waits, then gives up without sending anything.
  n = pair->first.SendFor(chunk, absl::Milliseconds(50));
  EXPECT_TRUE(IsTimedOut(n.status())) << n.status();
  // SendAll says how much it managed before the deadline.
  size_t sent = 1;
  absl::Status s = pair->first.SendAll(
      chunk, Deadline::After(absl::Milliseconds(50)), &sent);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_EQ(sent, 0u);
}

TEST(StreamIoTest, TimedReceiveDoesNotReturnEarly) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  char buf[8];
  const absl::Time start = absl::Now();
  absl::StatusOr<size_t> n =
      pair->second.ReceiveFor(absl::MakeSpan(buf), absl::Milliseconds(100));
  EXPECT_TRUE(IsTimedOut(n.status())) << n.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
  // An expired deadline checks once.
  EXPECT_TRUE(IsTimedOut(
      pair->second.ReceiveUntil(absl::MakeSpan(buf), Deadline::Expired())
          .status()));
  ASSERT_TRUE(pair->first.SendAll("x").ok());
  n = pair->second.ReceiveUntil(absl::MakeSpan(buf), Deadline::Expired());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1u);
}

TEST(StreamIoTest, EmptyBuffersAndEmptyData) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_TRUE(absl::IsInvalidArgument(
      pair->first.Receive(absl::Span<char>()).status()));
  EXPECT_EQ(*pair->first.Send(""), 0u);
  EXPECT_TRUE(pair->first.SendAll("").ok());
  EXPECT_TRUE(pair->first.ReceiveFull(absl::Span<char>()).ok());
}

// With SIGPIPE at its default action (terminate), sending to a closed peer
// must give EPIPE and leave the process alive.
void ExpectEpipeNotSigpipe(StreamSocket& sender, StreamSocket& peer) {
  ASSERT_TRUE(peer.Close().ok());
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGPIPE);
    ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
    absl::Status s;
    // The first send after the peer closed may still succeed on TCP (the
    // peer's RST is what makes the next one fail).
    for (int i = 0; i < 100 && s.ok(); ++i) {
      s = sender.SendAll("anyone there?", Soon());
      if (s.ok()) absl::SleepFor(absl::Milliseconds(5));
    }
    if (!absl::StrContains(s.message(), "Broken pipe") &&
        !absl::StrContains(s.message(), "Connection reset")) {
      return 2;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ExitResult result = child->Wait(kPatience);
  EXPECT_FALSE(KilledBy(result, SIGPIPE)) << "a send raised SIGPIPE";
  EXPECT_TRUE(ExitedWith(result, 0));
}

TEST(StreamIoTest, ClosedUnixPeerIsEpipeNotSigpipe) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ExpectEpipeNotSigpipe(pair->first, pair->second);
}

TEST(StreamIoTest, ClosedTcpPeerIsEpipeNotSigpipe) {
  absl::StatusOr<TcpConnection> tcp = ConnectTcp();
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  ExpectEpipeNotSigpipe(tcp->client, tcp->server);
}

TEST(SeqPacketIoTest, ClosedPeerIsEpipeNotSigpipe) {
  absl::StatusOr<SocketPair<SeqPacketSocket>> pair =
      CreateSeqPacketSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->second.Close().ok());
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    ::signal(SIGPIPE, SIG_DFL);
    absl::Status s = pair->first.Send("anyone there?");
    return absl::StrContains(s.message(), "Broken pipe") ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(StreamIoTest, PeerClosingWithUnreadDataIsAReset) {
  absl::StatusOr<TcpConnection> tcp = ConnectTcp();
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  ASSERT_TRUE(tcp->client.SendAll("never read", Soon()).ok());
  absl::SleepFor(absl::Milliseconds(20));  // let it arrive at the server
  ASSERT_TRUE(tcp->server.Close().ok());   // unread data: the kernel sends RST
  char buf[16];
  absl::StatusOr<size_t> n =
      tcp->client.ReceiveUntil(absl::MakeSpan(buf), Soon());
  EXPECT_THAT(n.status().message(), HasSubstr("Connection reset by peer"));
}

// The peer dies (SIGKILL) part-way through a record: the survivor gets the
// bytes that arrived, then a clear truncated-record status (or a reset),
// and carries on with a new peer.
TEST(StreamIoTest, PeerKilledMidConversation) {
  const SocketAddress address = UniqueAbstractAddress("killed_peer");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<ChildProcess> doomed = ForkChild([&] {
    absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, Soon());
    if (!s.ok()) return 2;
    if (!s->SendAll("half a rec", Soon()).ok()) return 3;
    ::pause();  // killed here
    return 4;
  });
  ASSERT_TRUE(doomed.ok()) << doomed.status();
  absl::StatusOr<StreamSocket> conn = listener->AcceptUntil(Soon());
  ASSERT_TRUE(conn.ok()) << conn.status();
  char record[20];
  size_t received = 0;
  absl::Status first = conn->ReceiveFull(absl::MakeSpan(record, 10), Soon());
  ASSERT_TRUE(first.ok()) << first;
  ASSERT_TRUE(doomed->Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(doomed->Wait(kPatience), SIGKILL));
  absl::Status rest =
      conn->ReceiveFull(absl::MakeSpan(record), Soon(), &received);
  EXPECT_TRUE(IsEndOfStream(rest) ||
              absl::StrContains(rest.message(), "Connection reset"))
      << rest;
  // Carry on: the next client is served.
  absl::StatusOr<ChildProcess> next = ForkChild([&] {
    absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, Soon());
    return s.ok() && s->SendAll("ok", Soon()).ok() ? 0 : 2;
  });
  ASSERT_TRUE(next.ok()) << next.status();
  absl::StatusOr<StreamSocket> conn2 = listener->AcceptUntil(Soon());
  ASSERT_TRUE(conn2.ok()) << conn2.status();
  ASSERT_TRUE(conn2->ReceiveFull(absl::MakeSpan(record, 2), Soon()).ok());
  EXPECT_EQ(absl::string_view(record, 2), "ok");
  EXPECT_TRUE(ExitedWith(next->Wait(kPatience), 0));
}

TEST(DatagramIoTest, TimedSendToAFullReceiverTimesOut) {
  absl::StatusOr<SocketPair<DatagramSocket>> pair = CreateDatagramSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  // Nobody receives: Unix datagrams queue until the receiver is full.
  absl::Status s;
  for (int i = 0; i < 100000 && s.ok(); ++i) {
    s = pair->first.SendUntil("datagram",
                              Deadline::After(absl::Milliseconds(50)));
  }
  EXPECT_TRUE(IsTimedOut(s)) << s;
  ASSERT_TRUE(pair->first.SetNonBlocking(true).ok());
  EXPECT_TRUE(IsWouldBlock(pair->first.Send("one more")));
}

TEST(DatagramIoTest, NonBlockingReceiveWouldBlock) {
  absl::StatusOr<DatagramSocket> socket =
      DatagramSocket::Bind(SocketAddress::Ipv4Loopback(0), [] {
        DatagramOptions options;
        options.nonblocking = true;
        return options;
      }());
  ASSERT_TRUE(socket.ok()) << socket.status();
  char buf[8];
  EXPECT_TRUE(IsWouldBlock(socket->Receive(absl::MakeSpan(buf)).status()));
  EXPECT_TRUE(
      IsTimedOut(socket->ReceiveFor(absl::MakeSpan(buf), absl::Milliseconds(20))
                     .status()));
}

}  // namespace
}  // namespace ipcbox::testing
