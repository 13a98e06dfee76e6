// The hot paths of lib/socket do not allocate (lib/core/README.md):
// sends and receives on every socket type with their would-block, timed-out and
// end-of-stream outcomes, accepting, descriptor passing, peer credentials,
// and the iterative server's accept-and-serve loop. Loops count what went
// wrong instead of asserting, so that only the code under test runs while
// the counter is alive.

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/fd_passing.h"
#include "ipcbox/socket/iterative_server.h"
#include "ipcbox/socket/peer_credentials.h"
#include "ipcbox/socket/seqpacket_listener.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_listener.h"
#include "tests/socket/socket_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"
#include "tests/support/status_tally.h"

namespace ipcbox::testing {
namespace {

constexpr int kRounds = 500;

// One round on a connected stream pair: plain, timed and full-transfer
// calls, then the would-block and timed-out outcomes on an empty socket.
void StreamRound(StreamSocket& a, StreamSocket& b, absl::Span<char> buf,
                 StatusTally& tally) {
  const absl::string_view message = "sixteen bytes!!!";
  tally.Add(a.Send(message).status());
  tally.Add(a.SendFor(message, kPatience).status());
  tally.Add(a.SendAll(message, Soon()));
  tally.Add(b.ReceiveFull(buf.subspan(0, 3 * message.size()), Soon()));
  tally.Add(b.SendAll(message));
  tally.Add(a.ReceiveUntil(buf, Soon()).status());
  tally.Add(b.ReceiveUntil(buf, Deadline::Expired()).status());  // timed out
  tally.Add(b.Receive(buf).status());  // would block (non-blocking)
}

void ExpectStreamLoopDoesNotAllocate(StreamSocket& a, StreamSocket& b) {
  ASSERT_TRUE(a.SetNonBlocking(true).ok());
  ASSERT_TRUE(b.SetNonBlocking(true).ok());
  std::string buf(256, '\0');
  StatusTally tally;
  StreamRound(a, b, absl::MakeSpan(buf), tally);  // warm up
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i)
    StreamRound(a, b, absl::MakeSpan(buf), tally);
  // A real wait that times out.
  tally.Add(b.ReceiveFor(absl::MakeSpan(buf), absl::Milliseconds(1)).status());
  // End of stream.
  (void)a.Shutdown(ShutdownDirection::kWrite);
  tally.Add(b.ReceiveUntil(absl::MakeSpan(buf), Soon()).status());
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other, 0);
  EXPECT_EQ(tally.would_block, kRounds + 1);
  EXPECT_EQ(tally.timed_out, kRounds + 2);
  EXPECT_EQ(tally.end_of_stream, 1);
}

TEST(SocketAllocationTest, UnixStreamLoop) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ExpectStreamLoopDoesNotAllocate(pair->first, pair->second);
}

TEST(SocketAllocationTest, TcpLoopAndAccept) {
  ListenOptions options;
  options.nonblocking = true;
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0), options);
  ASSERT_TRUE(listener.ok()) << listener.status();
  const SocketAddress address = *listener->LocalAddress();
  std::vector<StreamSocket> clients;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<StreamSocket> c = StreamSocket::Connect(address, Soon());
    ASSERT_TRUE(c.ok()) << c.status();
    clients.push_back(*std::move(c));
  }
  std::vector<StreamSocket> accepted(clients.size());
  SocketAddress peer;
  StatusTally tally;
  {
    AllocationCounter counter;
    AcceptOptions accept;
    accept.nonblocking = true;
    accept.peer = &peer;
    for (StreamSocket& slot : accepted) {
      absl::StatusOr<StreamSocket> conn = listener->AcceptUntil(Soon(), accept);
      tally.Add(conn.status());
      if (conn.ok()) slot = *std::move(conn);
    }
    tally.Add(listener->Accept(accept).status());  // nobody left
    tally.Add(listener->AcceptUntil(Deadline::Expired()).status());
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  }
  EXPECT_EQ(tally.ok, 20);
  EXPECT_EQ(tally.would_block, 1);
  EXPECT_EQ(tally.timed_out, 1);
  // Small back-to-back sends: without TCP_NODELAY each round would wait for
  // a delayed ACK.
  ASSERT_TRUE(clients[0].SetNoDelay(true).ok());
  ASSERT_TRUE(accepted[0].SetNoDelay(true).ok());
  ExpectStreamLoopDoesNotAllocate(clients[0], accepted[0]);
}

TEST(SocketAllocationTest, SeqPacketAndDatagramLoops) {
  absl::StatusOr<SocketPair<SeqPacketSocket>> seq =
      CreateSeqPacketSocketPair(/*nonblocking=*/true);
  ASSERT_TRUE(seq.ok()) << seq.status();
  absl::StatusOr<SocketPair<DatagramSocket>> dgram =
      CreateDatagramSocketPair(/*nonblocking=*/true);
  ASSERT_TRUE(dgram.ok()) << dgram.status();
  std::array<char, 128> buf;
  StatusTally tally;
  auto round = [&] {
    tally.Add(seq->first.Send("message"));
    tally.Add(seq->first.SendUntil("message", Soon()));
    tally.Add(seq->second.Receive(absl::MakeSpan(buf)).status());
    tally.Add(seq->second.ReceiveUntil(absl::MakeSpan(buf), Soon()).status());
    tally.Add(seq->second.Receive(absl::MakeSpan(buf)).status());  // empty
    tally.Add(dgram->first.Send("datagram"));
    tally.Add(dgram->first.SendFor("datagram", kPatience));
    tally.Add(dgram->second.Receive(absl::MakeSpan(buf)).status());
    tally.Add(
        dgram->second.ReceiveFor(absl::MakeSpan(buf), kPatience).status());
    tally.Add(
        dgram->second.ReceiveUntil(absl::MakeSpan(buf), Deadline::Expired())
            .status());
  };
  round();
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) round();
  (void)seq->first.Shutdown(ShutdownDirection::kWrite);
  tally.Add(seq->second.ReceiveUntil(absl::MakeSpan(buf), Soon()).status());
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.other, 0);
  EXPECT_EQ(tally.would_block, kRounds + 1);
  EXPECT_EQ(tally.timed_out, kRounds + 1);
  EXPECT_EQ(tally.end_of_stream, 1);
}

TEST(SocketAllocationTest, UdpLoopWithAddresses) {
  absl::StatusOr<DatagramSocket> server =
      DatagramSocket::Bind(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Open(AF_INET);
  ASSERT_TRUE(client.ok()) << client.status();
  const SocketAddress server_address = *server->LocalAddress();
  std::array<char, 64> buf;
  SocketAddress from;
  StatusTally tally;
  auto round = [&] {
    tally.Add(client->SendTo("ping", server_address));
    tally.Add(
        server->ReceiveUntil(absl::MakeSpan(buf), Soon(), &from).status());
    tally.Add(server->SendToUntil("pong", from, Soon()));
    tally.Add(client->ReceiveUntil(absl::MakeSpan(buf), Soon()).status());
  };
  round();
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) round();
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.ok, 4 * (kRounds + 1));
}

TEST(SocketAllocationTest, FdPassingAndCredentials) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  const int to_send[] = {STDIN_FILENO, STDERR_FILENO};
  std::array<Fd, 4> slots;
  char byte;
  const UidAllowList allowed = UidAllowList::SameUserOnly();
  StatusTally tally;
  int allowed_count = 0;
  auto round = [&] {
    tally.Add(SendWithFds(pair->first, "F", to_send, Soon()).status());
    absl::StatusOr<ReceivedFds> got = ReceiveWithFds(
        pair->second, absl::MakeSpan(&byte, 1), absl::MakeSpan(slots), Soon());
    tally.Add(got.status());
    absl::StatusOr<PeerCredentials> peer = GetPeerCredentials(pair->second);
    tally.Add(peer.status());
    if (peer.ok() && allowed.Allows(peer->uid)) ++allowed_count;
  };
  round();
  AllocationCounter counter;
  for (int i = 0; i < kRounds; ++i) round();  // slots are reused: closes too
  counter.Stop();
  EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  EXPECT_EQ(tally.ok, 3 * (kRounds + 1));
  EXPECT_EQ(allowed_count, kRounds + 1);
}

absl::Status EchoRecord(StreamSocket& client) {
  char record[16];
  absl::Status s = client.ReceiveFull(absl::MakeSpan(record), Soon());
  if (!s.ok()) return s;
  return client.SendAll(absl::string_view(record, sizeof(record)), Soon());
}

TEST(SocketAllocationTest, IterativeServerLoop) {
  const SocketAddress address = UniqueAbstractAddress("alloc_server");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  constexpr int kClients = 20;
  // The clients are other processes: only the server is counted.
  absl::StatusOr<ChildProcess> clients = ForkChild([&] {
    for (int i = 0; i < kClients; ++i) {
      absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, Soon());
      if (!s.ok()) return 2;
      const std::string record(16, static_cast<char>('a' + i));
      if (!s->SendAll(record, Soon()).ok()) return 3;
      char echo[16];
      if (!s->ReceiveFull(absl::MakeSpan(echo), Soon()).ok()) return 4;
      if (absl::string_view(echo, 16) != record) return 5;
    }
    return 0;
  });
  ASSERT_TRUE(clients.ok()) << clients.status();
  IterativeServerOptions options;
  options.max_clients = kClients;
  options.deadline = Soon();
  options.allowed_uids = UidAllowList::SameUserOnly();
  IterativeServerStats stats;
  absl::Status served;
  {
    AllocationCounter counter;
    served = ServeIteratively(*listener, EchoRecord, options, &stats);
    counter.Stop();
    EXPECT_EQ(counter.count(), 0) << AllocationCounter::Method();
  }
  EXPECT_TRUE(served.ok()) << served;
  EXPECT_EQ(stats.served, kClients);
  EXPECT_TRUE(ExitedWith(clients->Wait(kPatience), 0));
}

// The counter used above is not blind: an allocation on the measured path
// fails the check.
void AllocateOnePath() {
  std::string* grown = new std::string(64, 'x');
  delete grown;
}

TEST(SocketAllocationTest, TheCounterSeesAnInjectedAllocation) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(AllocateOnePath()),
                          "heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox::testing
