// The concurrent_echo_server example (//examples/socket_server): what it
// prints for clients that come, go and die, its refusal over capacity, its
// stop on SIGINT and SIGTERM, and its errors; and the tour scenario.

#include "examples/socket_server/concurrent_echo_server.h"

#include <signal.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "examples/shm/child_with_output.h"
#include "examples/socket_server/tour_socket_server.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"
#include "tests/socket_server/server_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/tour_scenario.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::EchoRoundTrip;
using ::ipcbox::testing::ReadToEnd;
using ::ipcbox::testing::Soon;

// The example in a child process on a free loopback port.
class ExampleServer {
 public:
  static absl::StatusOr<ExampleServer> Start(EchoServerConfig config) {
    config.host = "127.0.0.1";
    config.port = 0;
    absl::StatusOr<ChildWithOutput> child = ChildWithOutput::Start(
        [&](std::FILE* out) { return RunConcurrentEchoServer(config, out); });
    if (!child.ok()) return child.status();
    if (absl::Status s = child->ReadUntil("-byte buffers)\n", Soon());
        !s.ok()) {
      return s;
    }
    const absl::string_view out = child->output();
    const size_t at = out.find("listening on ");
    if (at == out.npos) return absl::InternalError(std::string(out));
    absl::string_view where = out.substr(at + 13);
    absl::StatusOr<SocketAddress> address =
        SocketAddress::ParseInet(where.substr(0, where.find(' ')));
    if (!address.ok()) return address.status();
    return ExampleServer(*std::move(child), *address);
  }

  ChildWithOutput& process() { return process_; }
  const SocketAddress& address() const { return address_; }

 private:
  ExampleServer(ChildWithOutput process, SocketAddress address)
      : process_(std::move(process)), address_(address) {}
  ChildWithOutput process_;
  SocketAddress address_;
};

TEST(ConcurrentEchoServerExampleTest, PrintsClientsComingAndGoingAndStops) {
  EchoServerConfig config;
  config.max_connections = 2;
  config.buffer_bytes = 512;
  absl::StatusOr<ExampleServer> server = ExampleServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(
      absl::StartsWith(server->process().output(),
                       "concurrent_echo_server: listening on 127.0.0.1:"))
      << server->process().output();
  EXPECT_TRUE(absl::StrContains(server->process().output(),
                                "(up to 2 clients, 512-byte buffers)\n"));

  absl::StatusOr<StreamSocket> a = StreamSocket::Connect(server->address());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(server->process().ReadUntil("(1 connected)\n", Soon()).ok());
  absl::StatusOr<StreamSocket> b = StreamSocket::Connect(server->address());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(server->process().ReadUntil("(2 connected)\n", Soon()).ok());
  EXPECT_TRUE(EchoRoundTrip(*a, "hello from a\n").ok());
  EXPECT_TRUE(EchoRoundTrip(*b, "hello from b\n").ok());

  // A third is refused with the message; the other two carry on.
  absl::StatusOr<StreamSocket> c = StreamSocket::Connect(server->address());
  ASSERT_TRUE(c.ok()) << c.status();
  absl::StatusOr<std::string> told = ReadToEnd(*c);
  ASSERT_TRUE(told.ok()) << told.status();
  EXPECT_EQ(*told, "server busy, try again later\n");

  ASSERT_TRUE(a->Close().ok());
  ASSERT_TRUE(server->process().ReadUntil("(1 connected)\n", Soon()).ok());
  ASSERT_TRUE(::kill(server->process().pid(), SIGTERM) == 0);
  absl::StatusOr<ChildWithOutput::Result> done =
      server->process().Finish(Soon());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 0);
  const std::string& out = done->output;
  EXPECT_TRUE(absl::StrContains(out, "client 1 connected from 127.0.0.1:"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "client 1 disconnected (1 connected)\n"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "client 2 closed: server stopping (0 connected)\n"))
      << out;
  EXPECT_TRUE(absl::EndsWith(out,
                             "stopped by SIGTERM: 2 clients served, 1 refused, "
                             "26 bytes echoed\n"))
      << out;
  // The client still connected at the stop sees end-of-stream.
  absl::StatusOr<std::string> rest = ReadToEnd(*b);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "");
}

TEST(ConcurrentEchoServerExampleTest, AClientKilledMidConversationIsDropped) {
  absl::StatusOr<ExampleServer> server = ExampleServer::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  const SocketAddress address = server->address();
  absl::StatusOr<ipcbox::testing::ChildProcess> victim =
      ipcbox::testing::ForkChild([&] {
        absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address);
        if (!s.ok() || !s->SendAll("never read\n").ok()) return 1;
        ::pause();
        return 2;
      });
  ASSERT_TRUE(victim.ok()) << victim.status();
  ASSERT_TRUE(server->process().ReadUntil("(1 connected)\n", Soon()).ok());
  absl::StatusOr<StreamSocket> other = StreamSocket::Connect(address);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(server->process().ReadUntil("(2 connected)\n", Soon()).ok());
  // Its echo is waiting unread in its socket once ours has come back.
  EXPECT_TRUE(EchoRoundTrip(*other, "still here\n").ok());
  ASSERT_TRUE(victim->Kill(SIGKILL).ok());
  EXPECT_TRUE(victim->Wait(ipcbox::testing::kPatience).killed_by(SIGKILL));
  ASSERT_TRUE(server->process().ReadUntil("client 1 ", Soon()).ok());
  ASSERT_TRUE(server->process().ReadUntil("(1 connected)\n", Soon()).ok());
  EXPECT_TRUE(EchoRoundTrip(*other, "after the crash\n").ok());
  ASSERT_TRUE(::kill(server->process().pid(), SIGINT) == 0);
  absl::StatusOr<ChildWithOutput::Result> done =
      server->process().Finish(Soon());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_TRUE(absl::StrContains(done->output, "stopped by SIGINT: 2 clients"))
      << done->output;
  // Reset by the kernel (data unread), or a plain end: either way a line.
  EXPECT_TRUE(
      absl::StrContains(done->output, "client 1 dropped: ") ||
      absl::StrContains(done->output, "client 1 disconnected (1 connected)"))
      << done->output;
}

TEST(ConcurrentEchoServerExampleTest, ReportsABadAddressAndExitsWithOne) {
  EchoServerConfig config;
  config.host = "not-an-address";
  absl::StatusOr<ChildWithOutput> child = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunConcurrentEchoServer(config, out); });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ChildWithOutput::Result> done = child->Finish(Soon());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(done->output,
                               "concurrent_echo_server: INVALID_ARGUMENT"))
      << done->output;
}

TEST(ConcurrentEchoServerExampleTest, ReportsAPortInUse) {
  absl::StatusOr<ExampleServer> first = ExampleServer::Start({});
  ASSERT_TRUE(first.ok()) << first.status();
  EchoServerConfig config;
  config.host = "127.0.0.1";
  config.port = *first->address().port();
  absl::StatusOr<ChildWithOutput> second = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunConcurrentEchoServer(config, out); });
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<ChildWithOutput::Result> done = second->Finish(Soon());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 1);
  EXPECT_TRUE(absl::StrContains(done->output, "Address already in use"))
      << done->output;
}

TEST(ConcurrentEchoServerTourTest, ScenarioVerifies) {
  ::ipcbox::testing::ExpectScenarioVerifies(RunConcurrentEchoServerTour);
}

}  // namespace
}  // namespace ipcbox::examples
