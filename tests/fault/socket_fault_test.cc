// lib/socket under injected faults: EINTR storms and short sends and
// receives are absorbed; ENOBUFS on send, ECONNABORTED from accept and
// EMFILE from socket() become statuses, are not retried (accept's
// ECONNABORTED excepted, documented) and leak no descriptor.

#include <errno.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"
#include "tests/support/pattern.h"

namespace ipcbox::testing {
namespace {

// A TCP listener on 127.0.0.1 and the address clients connect to.
struct Listening {
  StreamListener listener;
  SocketAddress address;
};

absl::StatusOr<Listening> ListenOnLoopback() {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  if (!listener.ok()) return listener.status();
  absl::StatusOr<SocketAddress> address = listener->LocalAddress();
  if (!address.ok()) return address.status();
  return Listening{*std::move(listener), *address};
}

struct Connected {
  StreamListener listener;
  StreamSocket client;
  StreamSocket server;
};

absl::StatusOr<Connected> Connect() {
  absl::StatusOr<Listening> l = ListenOnLoopback();
  if (!l.ok()) return l.status();
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(l->address, Soon());
  if (!client.ok()) return client.status();
  absl::StatusOr<StreamSocket> server = l->listener.Accept();
  if (!server.ok()) return server.status();
  return Connected{std::move(l->listener), *std::move(client),
                   *std::move(server)};
}

TEST(SocketFaultTest, EintrStormsAndShortTransfersLoseNothing) {
  absl::StatusOr<Connected> c = Connect();
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string data = Pattern(20000);
  {
    ScopedFault eintr(Syscall::kSendto,
                      FaultOn(c->client.fd().get(), EINTR, 100));
    ASSERT_TRUE(c->client.SendAll(data.substr(0, 10000), Soon()).ok());
    EXPECT_EQ(eintr.injected(), 100);
    Tally(eintr);
  }
  {
    ScopedFault shorts(Syscall::kSendto,
                       FaultOn(c->client.fd().get(), 0, -1, 11));
    ASSERT_TRUE(c->client.SendAll(data.substr(10000), Soon()).ok());
    EXPECT_GE(shorts.injected(), 10000 / 11);
    Tally(shorts);
  }
  std::string got(data.size(), '\0');
  {
    ScopedFault eintr(Syscall::kRecvfrom,
                      FaultOn(c->server.fd().get(), EINTR, 100));
    ASSERT_TRUE(c->server.ReceiveFull(absl::MakeSpan(got), Soon()).ok());
    EXPECT_EQ(eintr.injected(), 100);
    Tally(eintr);
  }
  EXPECT_EQ(got, data);
}

TEST(SocketFaultTest, ShortReceivesLoseNothing) {
  absl::StatusOr<Connected> c = Connect();
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string data = Pattern(3000);
  ASSERT_TRUE(c->client.SendAll(data, Soon()).ok());
  ScopedFault shorts(Syscall::kRecvfrom,
                     FaultOn(c->server.fd().get(), 0, -1, 5));
  std::string got(data.size(), '\0');
  ASSERT_TRUE(c->server.ReceiveFull(absl::MakeSpan(got), Soon()).ok());
  EXPECT_EQ(got, data);
  EXPECT_GE(shorts.injected(), 3000 / 5);
  Tally(shorts);
}

TEST(SocketFaultTest, EnobufsOnSendIsAStatusAndNotRetried) {
  absl::StatusOr<Connected> c = Connect();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(StatusUnderFault(
                   Syscall::kSendto, FaultOn(c->client.fd().get(), ENOBUFS, 1),
                   [&] { return c->client.SendAll("data", Soon()); })
                   .ok());
}

TEST(SocketFaultTest, AcceptFailingIsAStatusAndTheNextAcceptWorks) {
  absl::StatusOr<Listening> l = ListenOnLoopback();
  ASSERT_TRUE(l.ok()) << l.status();
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(l->address, Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  const int before = OpenDescriptorCount();
  const absl::Status refused = StatusUnderFault(
      Syscall::kAccept4, FaultOn(l->listener.fd().get(), EMFILE, 1),
      [&] { return l->listener.Accept(); });
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_EQ(OpenDescriptorCount(), before);
  absl::StatusOr<StreamSocket> accepted = l->listener.Accept();
  EXPECT_TRUE(accepted.ok()) << accepted.status();
}

TEST(SocketFaultTest, SocketFailingLeaksNothing) {
  absl::StatusOr<Listening> l = ListenOnLoopback();
  ASSERT_TRUE(l.ok()) << l.status();
  const int before = OpenDescriptorCount();
  for (int error : {EMFILE, ENFILE, ENOBUFS, EACCES}) {
    ScopedFault no_socket(Syscall::kSocket, FaultOn(-1, error, 1));
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(l->address, Soon());
    EXPECT_FALSE(client.ok());
    absl::StatusOr<StreamListener> other =
        StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
    EXPECT_TRUE(other.ok()) << "only one call was to fail";
    EXPECT_EQ(no_socket.injected(), 1);
    Tally(no_socket);
  }
  EXPECT_EQ(OpenDescriptorCount(), before);
}

}  // namespace
}  // namespace ipcbox::testing
