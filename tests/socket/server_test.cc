// Peer credentials (SO_PEERCRED) and uid policies, and the iterative server
// between real processes: clients served one at a time, a client killed
// with SIGKILL mid-conversation (the server carries on with the next), a
// client refused by uid, deadlines and accept errors.

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
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
#include "ipcbox/socket/iterative_server.h"
#include "ipcbox/socket/peer_credentials.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_listener.h"
#include "tests/socket/socket_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

TEST(PeerCredentialsTest, ASocketPairSeesItsOwnProcess) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  absl::StatusOr<PeerCredentials> peer = GetPeerCredentials(pair->first);
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ(peer->pid, ::getpid());
  EXPECT_EQ(peer->uid, ::geteuid());
  EXPECT_EQ(peer->gid, ::getegid());
}

TEST(PeerCredentialsTest, AServerSeesTheConnectingProcess) {
  ScopedSocketPath path("peercred");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<StreamSocket> s =
        StreamSocket::Connect(path.address(), Soon());
    if (!s.ok()) return 2;
    char byte;  // wait for the server to let us go
    return s->ReceiveUntil(absl::MakeSpan(&byte, 1), Soon()).ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<StreamSocket> client = listener->AcceptUntil(Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<PeerCredentials> peer = GetPeerCredentials(*client);
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ(peer->pid, child->pid());
  EXPECT_EQ(peer->uid, ::geteuid());
  ASSERT_TRUE(client->SendAll("k", Soon()).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
}

TEST(PeerCredentialsTest, OnlyUnixSocketsHaveThem) {
  absl::StatusOr<StreamListener> tcp =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  absl::StatusOr<PeerCredentials> peer = GetPeerCredentials(*tcp);
  EXPECT_TRUE(absl::IsInvalidArgument(peer.status())) << peer.status();
  EXPECT_TRUE(
      absl::IsFailedPrecondition(GetPeerCredentials(StreamSocket()).status()));
}

TEST(UidAllowListTest, Policies) {
  const uid_t me = ::geteuid();
  EXPECT_TRUE(UidAllowList::SameUserOnly().Allows(me));
  EXPECT_FALSE(UidAllowList::SameUserOnly().Allows(me + 1));

  absl::StatusOr<UidAllowList> others = UidAllowList::Of({me + 1, me + 2});
  ASSERT_TRUE(others.ok()) << others.status();
  EXPECT_FALSE(others->Allows(me));
  EXPECT_TRUE(others->Allows(me + 2));
  PeerCredentials peer;
  peer.uid = me;
  peer.pid = 4242;
  absl::Status refused = others->Check(peer);
  EXPECT_TRUE(absl::IsPermissionDenied(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("pid 4242"));

  std::vector<uid_t> too_many(UidAllowList::kCapacity + 1, me);
  EXPECT_TRUE(absl::IsInvalidArgument(UidAllowList::Of(too_many).status()));
}

// A client that sends `request` and expects it echoed, then closes.
int EchoClient(const SocketAddress& address, absl::string_view request) {
  absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, Soon());
  if (!s.ok()) return 2;
  if (!s->SendAll(request, Soon()).ok()) return 3;
  std::string echo(request.size(), '\0');
  if (!s->ReceiveFull(absl::MakeSpan(&echo[0], echo.size()), Soon()).ok()) {
    return 4;
  }
  return echo == request ? 0 : 5;
}

// Echoes one 8-byte record.
absl::Status EchoRecord(StreamSocket& client) {
  char record[8];
  absl::Status s = client.ReceiveFull(absl::MakeSpan(record), Soon());
  if (!s.ok()) return s;
  return client.SendAll(absl::string_view(record, 8), Soon());
}

TEST(IterativeServerTest, ServesClientsOneAtATime) {
  const SocketAddress address = UniqueAbstractAddress("iterative");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::vector<ChildProcess> clients;
  for (char c : std::string("abc")) {
    absl::StatusOr<ChildProcess> child =
        ForkChild([&] { return EchoClient(address, std::string(8, c)); });
    ASSERT_TRUE(child.ok()) << child.status();
    clients.push_back(*std::move(child));
  }
  IterativeServerOptions options;
  options.max_clients = 3;
  options.deadline = Soon();
  IterativeServerStats stats;
  int in_service = 0;
  int most_at_once = 0;
  absl::Status s = ServeIteratively(
      *listener,
      [&](StreamSocket& client) {
        most_at_once = std::max(most_at_once, ++in_service);
        absl::Status echoed = EchoRecord(client);
        --in_service;
        return echoed;
      },
      options, &stats);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(stats.served, 3);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(most_at_once, 1);
  for (ChildProcess& child : clients) {
    EXPECT_TRUE(ExitedWith(child.Wait(kPatience), 0));
  }
}

TEST(IterativeServerTest, AClientKilledMidConversationDoesNotStopTheServer) {
  const SocketAddress address = UniqueAbstractAddress("iterative_kill");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  // One client sends half a record and hangs; the server kills it while
  // it waits for the rest. Another client queues meanwhile.
  absl::StatusOr<ChildProcess> doomed = ForkChild([&] {
    absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, Soon());
    if (!s.ok() || !s->SendAll("half", Soon()).ok()) return 2;
    ::pause();
    return 3;
  });
  ASSERT_TRUE(doomed.ok()) << doomed.status();
  absl::StatusOr<ChildProcess> survivor =
      ForkChild([&] { return EchoClient(address, "survivor"); });
  ASSERT_TRUE(survivor.ok()) << survivor.status();

  IterativeServerOptions options;
  options.max_clients = 2;
  options.deadline = Soon();
  std::vector<std::string> errors;
  options.on_client_error = [&](const absl::Status& e) {
    errors.push_back(e.ToString());
  };
  IterativeServerStats stats;
  absl::Status s = ServeIteratively(
      *listener,
      [&](StreamSocket& client) -> absl::Status {
        char record[8];
        absl::Status got =
            client.ReceiveFull(absl::MakeSpan(record, 4), Soon());
        if (!got.ok()) return got;
        if (absl::string_view(record, 4) == "half") {
          EXPECT_TRUE(doomed->Kill(SIGKILL).ok());  // mid-conversation
        }
        got = client.ReceiveFull(absl::MakeSpan(record + 4, 4), Soon());
        if (!got.ok()) return got;
        return client.SendAll(absl::string_view(record, 8), Soon());
      },
      options, &stats);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.served, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::AnyOf(HasSubstr("OUT_OF_RANGE"),
                                          HasSubstr("Connection reset")));
  EXPECT_TRUE(KilledBy(doomed->Wait(kPatience), SIGKILL));
  EXPECT_TRUE(ExitedWith(survivor->Wait(kPatience), 0));
}

TEST(IterativeServerTest, RefusesClientsByUid) {
  ScopedSocketPath path("iterative_uid");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<ChildProcess> client = ForkChild([&] {
    absl::StatusOr<StreamSocket> s =
        StreamSocket::Connect(path.address(), Soon());
    if (!s.ok()) return 2;
    (void)s->SendAll("12345678", Soon());
    char byte;
    // Refused: closed without an answer.
    absl::StatusOr<size_t> n =
        s->ReceiveUntil(absl::MakeSpan(&byte, 1), Soon());
    return IsEndOfStream(n.status()) ||
                   absl::StrContains(n.status().message(), "reset")
               ? 0
               : 3;
  });
  ASSERT_TRUE(client.ok()) << client.status();
  IterativeServerOptions options;
  options.max_clients = 1;
  options.deadline = Soon();
  // A policy that excludes this test's own uid.
  options.allowed_uids = *UidAllowList::Of({::geteuid() + 1});
  std::vector<std::string> errors;
  options.on_client_error = [&](const absl::Status& e) {
    errors.push_back(e.ToString());
  };
  IterativeServerStats stats;
  bool handler_ran = false;
  absl::Status s = ServeIteratively(
      *listener,
      [&](StreamSocket&) {
        handler_ran = true;
        return absl::OkStatus();
      },
      options, &stats);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_FALSE(handler_ran);
  EXPECT_EQ(stats.refused, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("PERMISSION_DENIED"));
  EXPECT_TRUE(ExitedWith(client->Wait(kPatience), 0));
}

TEST(IterativeServerTest, AdmitsAllowedUids) {
  const SocketAddress address = UniqueAbstractAddress("iterative_ok");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<ChildProcess> client =
      ForkChild([&] { return EchoClient(address, "allowed!"); });
  ASSERT_TRUE(client.ok()) << client.status();
  IterativeServerOptions options;
  options.max_clients = 1;
  options.deadline = Soon();
  options.allowed_uids = UidAllowList::SameUserOnly();
  IterativeServerStats stats;
  EXPECT_TRUE(ServeIteratively(*listener, EchoRecord, options, &stats).ok());
  EXPECT_EQ(stats.served, 1);
  EXPECT_TRUE(ExitedWith(client->Wait(kPatience), 0));
}

TEST(IterativeServerTest, StopsAtTheDeadline) {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status();
  // Before the deadline starts, or the time in between (half a millisecond
  // on an emulated board) shortens what the check below measures.
  const absl::Time start = absl::Now();
  IterativeServerOptions options;
  options.deadline = Deadline::After(absl::Milliseconds(100));
  absl::Status s = ServeIteratively(*listener, EchoRecord, options);
  EXPECT_TRUE(IsTimedOut(s)) << s;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
}

// A handler that waits without a deadline (as the seed's does) must not let
// one silent client hold the server: the default client_timeout is finite,
// and a timed-out client is reported as such.
TEST(IterativeServerTest, ByDefaultASilentClientDoesNotHoldTheServerForever) {
  EXPECT_NE(IterativeServerOptions().client_timeout, absl::InfiniteDuration());
  EXPECT_LE(IterativeServerOptions().client_timeout, absl::Minutes(1));
}

TEST(IterativeServerTest, ASilentClientIsDroppedAfterTheClientTimeout) {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<SocketAddress> address = listener->LocalAddress();
  ASSERT_TRUE(address.ok()) << address.status();
  // Both connect (into the backlog) before the server runs; the first
  // never sends.
  absl::StatusOr<StreamSocket> silent = StreamSocket::Connect(*address, Soon());
  ASSERT_TRUE(silent.ok()) << silent.status();
  absl::StatusOr<StreamSocket> talker = StreamSocket::Connect(*address, Soon());
  ASSERT_TRUE(talker.ok()) << talker.status();
  ASSERT_TRUE(talker->SendAll("12345678", Soon()).ok());

  IterativeServerOptions options;
  options.max_clients = 2;
  options.deadline = Soon();
  options.client_timeout = absl::Milliseconds(300);
  std::vector<absl::Status> errors;
  options.on_client_error = [&](const absl::Status& e) { errors.push_back(e); };
  IterativeServerStats stats;
  absl::Status s = ServeIteratively(
      *listener,
      [](StreamSocket& client) -> absl::Status {
        char record[8];
        size_t got = 0;
        while (got < sizeof(record)) {
          // No deadline: a blocking receive.
          absl::StatusOr<size_t> n =
              client.Receive(absl::MakeSpan(record).subspan(got));
          if (!n.ok()) return n.status();
          got += *n;
        }
        return client.SendAll(absl::string_view(record, 8),
                              Deadline::Infinite());
      },
      options, &stats);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(stats.served, 1);
  EXPECT_EQ(stats.failed, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(errors[0].message()), HasSubstr("300ms"));
  char echoed[8];
  ASSERT_TRUE(talker->ReceiveFull(absl::MakeSpan(echoed), Soon()).ok());
  EXPECT_EQ(absl::string_view(echoed, 8), "12345678");
}

// --max_clients=-1 used to serve nobody and return OK.
TEST(IterativeServerTest, RejectsANegativeClientCount) {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status();
  IterativeServerOptions options;
  options.max_clients = -1;
  options.deadline = Deadline::After(absl::Milliseconds(100));
  absl::Status s = ServeIteratively(*listener, EchoRecord, options);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("max_clients"));
}

TEST(IterativeServerTest, RejectsAClientTimeoutThatIsNotPositive) {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status();
  IterativeServerOptions options;
  options.client_timeout = absl::Seconds(-1);
  EXPECT_TRUE(absl::IsInvalidArgument(
      ServeIteratively(*listener, EchoRecord, options)));
}

TEST(IterativeServerTest, AClosedListenerEndsTheLoop) {
  StreamListener closed;
  absl::Status s = ServeIteratively(closed, EchoRecord);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
}

}  // namespace
}  // namespace ipcbox::testing
