// The event loop's steady state allocates nothing: accepting a client,
// echoing its messages, refusing a client over capacity and closing, once
// the server exists. The server is driven on the test's thread (RunFor)
// and the clients use raw system calls, so that whatever the counter sees
// is the server's.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tests/socket_server/server_test_util.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox::testing {
namespace {

constexpr int kMessageBytes = 64;
constexpr int kRoundTripsPerClient = 100;

// Runs the server on this thread until `done()`; false if that takes longer
// than kPatience. Allocation-free: FunctionRef does not copy the callable,
// a Deadline is a few integers, and a timed-out RunFor returns a status
// without a message.
bool Drive(ConcurrentServer& server, absl::FunctionRef<bool()> done) {
  const Deadline deadline = Deadline::After(kPatience);
  while (!done()) {
    if (deadline.expired()) return false;
    absl::Status s = server.RunFor(absl::Milliseconds(1));
    if (!s.ok() && !IsTimedOut(s)) return false;
  }
  return true;
}

// A client on raw system calls: connect, no library in between.
int RawConnect(const SocketAddress& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, address.sockaddr(), address.size()) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends one message and drives the server until its echo is back.
bool RawRoundTrip(ConcurrentServer& server, int fd, char tag) {
  char message[kMessageBytes];
  std::memset(message, tag, sizeof(message));
  if (::send(fd, message, sizeof(message), MSG_NOSIGNAL) != kMessageBytes) {
    return false;
  }
  char reply[kMessageBytes];
  size_t got = 0;
  const bool echoed = Drive(server, [&] {
    const ssize_t n =
        ::recv(fd, reply + got, sizeof(reply) - got, MSG_DONTWAIT);
    if (n > 0) got += static_cast<size_t>(n);
    return got == sizeof(reply);
  });
  return echoed && std::memcmp(reply, message, sizeof(message)) == 0;
}

// One client's whole life: accepted, kRoundTripsPerClient echoes, closed.
// Returns false (not an assertion: nothing may allocate in here) on error.
bool ClientLife(ConcurrentServer& server, const SocketAddress& address,
                int64_t active_before) {
  const int fd = RawConnect(address);
  if (fd < 0) return false;
  bool ok =
      Drive(server, [&] { return server.stats().active == active_before + 1; });
  for (int i = 0; ok && i < kRoundTripsPerClient; ++i) {
    ok = RawRoundTrip(server, fd, static_cast<char>('a' + i % 26));
  }
  ::close(fd);
  return Drive(server,
               [&] { return server.stats().active == active_before; }) &&
         ok;
}

// A client over capacity: accepted and closed by the server at once; it
// reads the refusal message, then end-of-stream.
bool RefusedClient(ConcurrentServer& server, const SocketAddress& address) {
  const int64_t refused_before = server.stats().refused;
  const int fd = RawConnect(address);
  if (fd < 0) return false;
  char told[16];
  size_t got = 0;
  bool ended = false;
  const bool ok = Drive(server, [&] {
    const ssize_t n = ::recv(fd, told + got, sizeof(told) - got, MSG_DONTWAIT);
    if (n > 0) got += static_cast<size_t>(n);
    ended = n == 0;
    return ended && server.stats().refused == refused_before + 1;
  });
  ::close(fd);
  return ok && absl::string_view(told, got) == "busy\n";
}

TEST(ConcurrentServerAllocationTest, SteadyStateServingAllocatesNothing) {
  EchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 2;
  options.buffer_bytes = 1024;
  options.refusal_message = "busy\n";
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);

  // Warm-up: the same sequence once, uncounted (first use of anything the
  // C library initialises lazily).
  ASSERT_TRUE(ClientLife(*server, address, 0));

  // A long-lived client fills one slot; others come and go through the
  // other; with both slots taken, the next client is refused.
  const int held = RawConnect(address);
  ASSERT_GE(held, 0);
  ASSERT_TRUE(Drive(*server, [&] { return server->stats().active == 1; }));

  AllocationCounter counter;
  bool ok = true;
  for (int client = 0; ok && client < 3; ++client) {
    ok = ClientLife(*server, address, 1) &&
         RawRoundTrip(*server, held, static_cast<char>('0' + client));
  }
  const int filler = RawConnect(address);
  ok = ok && filler >= 0 &&
       Drive(*server, [&] { return server->stats().active == 2; }) &&
       RefusedClient(*server, address);
  ::close(filler);
  ok = ok && Drive(*server, [&] { return server->stats().active == 1; });
  counter.Stop();

  ASSERT_TRUE(ok) << "a client's conversation failed";
  EXPECT_EQ(counter.count(), 0)
      << counter.count() << " allocations (" << counter.bytes()
      << " bytes) while serving; counting method: "
      << AllocationCounter::Method();
  const ConcurrentServerStats stats = server->stats();
  EXPECT_EQ(stats.accepted, 1 + 1 + 3 + 1);
  EXPECT_EQ(stats.refused, 1);
  EXPECT_EQ(stats.failed, 0);
  ::close(held);
}

// The counter is not blind to the loop: a handler that allocates per
// message is caught.
class AllocatingEcho : public EchoHandler {
 public:
  size_t OnData(Connection& c, absl::Span<const char> data) override {
    std::string copy(data.data(), data.size());
    copy.reserve(copy.size() + 1024);  // past any small-string buffer
    return c.WriteSome(copy);
  }
};

TEST(ConcurrentServerAllocationTest, TheCounterSeesAHandlerThatAllocates) {
  AllocatingEcho echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);
  ASSERT_TRUE(ClientLife(*server, address, 0));
  AllocationCounter counter;
  const bool ok = ClientLife(*server, address, 0);
  counter.Stop();
  ASSERT_TRUE(ok);
  EXPECT_GE(counter.count(), kRoundTripsPerClient);
}

}  // namespace
}  // namespace ipcbox::testing
