// ConcurrentServer: echo correctness with many concurrent clients in other
// processes, over TCP and Unix sockets; large streams through small
// buffers; back-pressure on a client that does not read; a full table;
// a client killed with SIGKILL; stops from another thread and from a signal
// handler; handler-driven greetings, closes and oversized requests; bad
// options.

#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/connection_handler.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tests/socket_server/server_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

// ---- Options ----------------------------------------------------------------

TEST(ConcurrentServerCreateTest, RejectsOptionsOutOfRange) {
  EchoHandler echo;
  struct Case {
    const char* what;
    ConcurrentServerOptions options;
  };
  std::vector<Case> cases(4);
  cases[0].what = "max_connections";
  cases[0].options.max_connections = 0;
  cases[1].what = "buffer_bytes";
  cases[1].options.buffer_bytes = 0;
  cases[2].what = "events_per_wait";
  cases[2].options.events_per_wait = 0;
  cases[3].what = "accepts_per_wakeup";
  cases[3].options.accepts_per_wakeup = 0;
  for (const Case& c : cases) {
    absl::StatusOr<StreamListener> listener = ListenOnLoopback();
    ASSERT_TRUE(listener.ok()) << listener.status();
    absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
        ConcurrentServer::Create(*std::move(listener), echo, c.options);
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument)
        << c.what;
    EXPECT_TRUE(absl::StrContains(server.status().message(), c.what))
        << server.status();
  }
}

TEST(ConcurrentServerCreateTest, RejectsAListenerThatIsNotOpen) {
  EchoHandler echo;
  absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
      ConcurrentServer::Create(StreamListener(), echo);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument)
      << server.status();
}

TEST(ConcurrentServerCreateTest, RejectsBuffersLargerThanTheAddressSpace) {
  EchoHandler echo;
  absl::StatusOr<StreamListener> listener = ListenOnLoopback();
  ASSERT_TRUE(listener.ok()) << listener.status();
  ConcurrentServerOptions options;
  options.max_connections = 4;
  options.buffer_bytes = static_cast<size_t>(-1) / 4;
  absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
      ConcurrentServer::Create(*std::move(listener), echo, options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kResourceExhausted)
      << server.status();
}

// Lowers the soft RLIMIT_NOFILE for the scope.
class ScopedDescriptorLimit {
 public:
  explicit ScopedDescriptorLimit(rlim_t soft) {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    struct rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  ~ScopedDescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  struct rlimit saved_;
};

TEST(ConcurrentServerCreateTest, RejectsATableTheDescriptorLimitCannotHold) {
  EchoHandler echo;
  absl::StatusOr<StreamListener> listener = ListenOnLoopback();
  ASSERT_TRUE(listener.ok()) << listener.status();
  ScopedDescriptorLimit limit(64);
  ConcurrentServerOptions options;
  options.max_connections = 100;
  absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
      ConcurrentServer::Create(*std::move(listener), echo, options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(server.status().message(), "RLIMIT_NOFILE"))
      << server.status();
}

// ---- Echo with many clients -------------------------------------------------

// `clients` connections in this (forked) process, each sending `rounds`
// messages of varying sizes, some larger than the server's buffers, all
// clients interleaved round by round; every echo is checked byte for byte.
int RunEchoClients(const SocketAddress& server, int first_client, int clients,
                   int rounds) {
  std::vector<StreamSocket> sockets;
  for (int i = 0; i < clients; ++i) {
    absl::StatusOr<StreamSocket> s = Connect(server);
    if (!s.ok()) {
      ADD_FAILURE() << "client " << first_client + i << ": " << s.status();
      return 1;
    }
    sockets.push_back(*std::move(s));
  }
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> sent(clients);
    for (int i = 0; i < clients; ++i) {
      const uint64_t seed = uint64_t(first_client + i) << 20 | round;
      sent[i] = SeededPattern(seed, 1 + (seed * 7919) % 3000);
      // A message larger than the socket buffers would block here while
      // the server waits for us to read: keep them small enough (3000 B).
      absl::Status s = sockets[i].SendAll(sent[i], Soon());
      if (!s.ok()) {
        ADD_FAILURE() << "client " << first_client + i << ": " << s;
        return 1;
      }
    }
    for (int i = 0; i < clients; ++i) {
      std::string reply(sent[i].size(), '\0');
      absl::Status s = sockets[i].ReceiveFull(absl::MakeSpan(reply), Soon());
      if (!s.ok() || reply != sent[i]) {
        ADD_FAILURE() << "client " << first_client + i << " round " << round
                      << ": " << s << (s.ok() ? " (content differs)" : "");
        return 1;
      }
    }
  }
  return 0;
}

struct EchoLoad {
  int processes;
  int clients_per_process;
  int rounds;
  int64_t BytesPerClient(int client) const {
    int64_t total = 0;
    for (int round = 0; round < rounds; ++round) {
      const uint64_t seed = uint64_t(client) << 20 | round;
      total += 1 + (seed * 7919) % 3000;
    }
    return total;
  }
  int64_t TotalBytes() const {
    int64_t total = 0;
    for (int c = 0; c < processes * clients_per_process; ++c) {
      total += BytesPerClient(c);
    }
    return total;
  }
};

void ExpectEchoUnderLoad(absl::StatusOr<StreamListener> listener,
                         const EchoLoad& load) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = load.processes * load.clients_per_process;
  options.buffer_bytes = 1024;  // smaller than many messages
  std::unique_ptr<ConcurrentServer> server =
      MakeServer(echo, options, std::move(listener));
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);

  // Clients first (they wait in the listen backlog), then the server's
  // thread: no fork from a threaded process.
  std::vector<ChildProcess> children;
  for (int p = 0; p < load.processes; ++p) {
    absl::StatusOr<ChildProcess> child = ForkChild([&] {
      return RunEchoClients(address, p * load.clients_per_process,
                            load.clients_per_process, load.rounds);
    });
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  ServerThread thread(*server);
  for (ChildProcess& child : children) {
    EXPECT_TRUE(ExitedWith(child.Wait(kPatience), 0));
  }
  EXPECT_TRUE(WaitForActive(*server, 0));
  ASSERT_TRUE(thread.StopAndJoin().ok());

  const ConcurrentServerStats stats = server->stats();
  EXPECT_EQ(stats.accepted, options.max_connections);
  EXPECT_EQ(stats.refused, 0);
  EXPECT_EQ(stats.closed, options.max_connections);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.bytes_received, load.TotalBytes());
  EXPECT_EQ(stats.bytes_sent, load.TotalBytes());
  EXPECT_GT(stats.peak_active, 1) << "the clients never overlapped";
  for (const RecordingEchoHandler::Closed& closed : echo.closed()) {
    EXPECT_TRUE(closed.reason.ok()) << closed.reason;  // end-of-stream
  }
}

TEST(ConcurrentServerEchoTest, ManyClientsInSeveralProcessesOverTcp) {
  ExpectEchoUnderLoad(ListenOnLoopback(),
                      {/*processes=*/6, /*clients_per_process=*/8,
                       /*rounds=*/40});
}

TEST(ConcurrentServerEchoTest, ManyClientsInSeveralProcessesOverUnixSockets) {
  ScopedSocketPath path("socket_server_test");
  ExpectEchoUnderLoad(StreamListener::Listen(path.address()),
                      {/*processes=*/4, /*clients_per_process=*/8,
                       /*rounds=*/40});
}

TEST(ConcurrentServerEchoTest, StreamsMuchLargerThanTheBuffersArriveIntact) {
  EchoHandler echo;
  ConcurrentServerOptions options;
  options.buffer_bytes = 256;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);

  absl::StatusOr<StreamSocket> client = Connect(AddressOf(*server));
  ASSERT_TRUE(client.ok()) << client.status();
  const std::string sent = SeededPattern(42, 1 << 20);
  std::string received(sent.size(), '\0');
  absl::Status receive_status;
  std::thread reader([&] {
    receive_status = client->ReceiveFull(absl::MakeSpan(received), Soon());
  });
  EXPECT_TRUE(client->SendAll(sent, Soon()).ok());
  reader.join();
  ASSERT_TRUE(receive_status.ok()) << receive_status;
  EXPECT_TRUE(received == sent) << "1 MiB echo differs";
}

TEST(ConcurrentServerEchoTest, AHalfClosedClientStillGetsEveryByteBack) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.buffer_bytes = 512;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);

  absl::StatusOr<StreamSocket> client = Connect(AddressOf(*server));
  ASSERT_TRUE(client.ok()) << client.status();
  const std::string sent = SeededPattern(7, 10000);
  ASSERT_TRUE(client->SendAll(sent, Soon()).ok());
  ASSERT_TRUE(client->Shutdown(ShutdownDirection::kWrite).ok());
  absl::StatusOr<std::string> echoed = ReadToEnd(*client);
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_TRUE(*echoed == sent) << echoed->size() << " bytes came back";
  ASSERT_TRUE(WaitForActive(*server, 0));
  ASSERT_EQ(echo.closed().size(), 1u);
  EXPECT_TRUE(echo.closed()[0].reason.ok()) << echo.closed()[0].reason;
}

// ---- Back-pressure ----------------------------------------------------------

TEST(ConcurrentServerBackPressureTest,
     StopsReadingOnlyTheClientThatDoesNotRead) {
  EchoHandler echo;
  ConcurrentServerOptions options;
  options.buffer_bytes = 4096;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  const SocketAddress address = AddressOf(*server);

  absl::StatusOr<StreamSocket> flooder = Connect(address);
  ASSERT_TRUE(flooder.ok()) << flooder.status();
  ASSERT_TRUE(flooder->SetNonBlocking(true).ok());

  // Send without reading until the stream stalls: the kernel buffers both
  // ways and the server's two buffers are full, and the server has stopped
  // reading. With buffers of fixed size that happens after a few MiB; a
  // server that kept reading would let us send forever.
  constexpr size_t kGiveUpAfter = size_t{256} << 20;
  const std::string chunk = SeededPattern(1, 64 * 1024);
  std::string sent;
  for (;;) {
    ASSERT_LT(sent.size(), kGiveUpAfter) << "the server never pushed back";
    absl::StatusOr<size_t> n = flooder->Send(
        absl::string_view(chunk).substr(sent.size() % chunk.size()));
    if (n.ok()) {
      sent.append(chunk, sent.size() % chunk.size(), *n);
      continue;
    }
    ASSERT_TRUE(IsWouldBlock(n.status())) << n.status();
    // Full for now; if no room comes within a while, the stream has
    // stalled. (The server may just be slow: then we simply send more.)
    absl::StatusOr<size_t> more = flooder->SendFor(
        absl::string_view(chunk).substr(sent.size() % chunk.size()),
        absl::Milliseconds(500));
    if (IsTimedOut(more.status())) break;
    ASSERT_TRUE(more.ok()) << more.status();
    sent.append(chunk, sent.size() % chunk.size(), *more);
  }
  ASSERT_TRUE(WaitForStats(*server, [](const ConcurrentServerStats& s) {
    return s.read_pauses >= 1;
  }));
  const int64_t received_while_stalled = server->stats().bytes_received;
  EXPECT_LT(received_while_stalled, static_cast<int64_t>(sent.size()));

  // Everyone else is served as usual.
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<StreamSocket> other = Connect(address);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_TRUE(EchoRoundTrip(*other, SeededPattern(100 + i, 2000)).ok());
  }

  // Reading resumes the flow; everything sent comes back, in order.
  std::string echoed(sent.size(), '\0');
  ASSERT_TRUE(flooder->ReceiveFull(absl::MakeSpan(echoed), Soon()).ok());
  EXPECT_TRUE(echoed == sent)
      << "the echo of " << sent.size() << " bytes differs";
  EXPECT_EQ(server->stats().failed, 0);
}

// ---- A full table -----------------------------------------------------------

TEST(ConcurrentServerFullTableTest, RefusesTheClientOverCapacityCleanly) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 4;
  options.refusal_message = "busy\n";
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  const SocketAddress address = AddressOf(*server);

  std::vector<StreamSocket> clients;
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<StreamSocket> c = Connect(address);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE(EchoRoundTrip(*c, SeededPattern(i, 100)).ok());
    clients.push_back(*std::move(c));
  }
  ASSERT_EQ(server->stats().active, 4);

  // Client 5 is told, then sees end-of-stream: not a hang in the backlog.
  absl::StatusOr<StreamSocket> extra = Connect(address);
  ASSERT_TRUE(extra.ok()) << extra.status();
  absl::StatusOr<std::string> told = ReadToEnd(*extra);
  ASSERT_TRUE(told.ok()) << told.status();
  EXPECT_EQ(*told, "busy\n");
  EXPECT_EQ(server->stats().refused, 1);

  // The first four were not disturbed.
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(EchoRoundTrip(clients[i], SeededPattern(10 + i, 5000)).ok())
        << i;
  }

  // A freed slot takes the next client.
  ASSERT_TRUE(clients[2].Close().ok());
  ASSERT_TRUE(WaitForActive(*server, 3));
  absl::StatusOr<StreamSocket> next = Connect(address);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(EchoRoundTrip(*next, SeededPattern(20, 100)).ok());
  const ConcurrentServerStats stats = server->stats();
  EXPECT_EQ(stats.accepted, 5);
  EXPECT_EQ(stats.refused, 1);
  EXPECT_EQ(stats.active, 4);
  EXPECT_EQ(stats.peak_active, 4);
}

TEST(ConcurrentServerFullTableTest, WithoutAMessageTheRefusedClientSeesEnd) {
  EchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 1;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);

  absl::StatusOr<StreamSocket> first = Connect(AddressOf(*server));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(EchoRoundTrip(*first, "x").ok());
  absl::StatusOr<StreamSocket> second = Connect(AddressOf(*server));
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<std::string> told = ReadToEnd(*second);
  ASSERT_TRUE(told.ok()) << told.status();
  EXPECT_EQ(*told, "");
  EXPECT_TRUE(EchoRoundTrip(*first, "still here").ok());
}

// Out of descriptors: the server frees its spare descriptor to accept and
// refuse the client (instead of leaving it in the backlog with the listener
// readable, which would spin the loop), then serves normally again.
TEST(ConcurrentServerFullTableTest, OutOfDescriptorsRefusesWithoutSpinning) {
  EchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 8;
  options.refusal_message = "busy\n";
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);
  // The client's socket exists before the limit drops; connect() needs no
  // new descriptor.
  Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.valid());
  const int lowest_free = ::dup(0);
  ASSERT_GE(lowest_free, 0);
  ::close(lowest_free);
  {
    ScopedDescriptorLimit limit(static_cast<rlim_t>(lowest_free));
    const int probe = ::dup(0);
    if (probe >= 0) {
      ::close(probe);
      GTEST_SKIP() << "RLIMIT_NOFILE is not enforced here (qemu-user?): "
                      "dup() succeeded with the soft limit at "
                   << lowest_free << " and descriptors 0.." << lowest_free - 1
                   << " open";
    }
    ASSERT_EQ(::connect(client.get(), address.sockaddr(), address.size()), 0);
    const Deadline deadline = Soon();
    while (server->stats().refused == 0 && !deadline.expired()) {
      (void)server->RunFor(absl::Milliseconds(5));
    }
    // A few more turns of the loop: a listener left readable would make
    // every one of them fail to accept again.
    for (int i = 0; i < 5; ++i) (void)server->RunFor(absl::Milliseconds(5));
  }
  const ConcurrentServerStats stats = server->stats();
  EXPECT_EQ(stats.refused, 1);
  EXPECT_EQ(stats.accept_errors, 1);
  EXPECT_EQ(stats.accepted, 0);
  char told[16];
  const ssize_t n = ::recv(client.get(), told, sizeof(told), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(absl::string_view(told, static_cast<size_t>(n)), "busy\n");

  // With descriptors again, clients are served.
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> next = Connect(address);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(EchoRoundTrip(*next, "served").ok());
}

// ---- A peer killed mid-conversation -----------------------------------------

TEST(ConcurrentServerPeerKilledTest, AClientKilledWithSigkillDisturbsNoOne) {
  RecordingEchoHandler echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);

  absl::StatusOr<Pipe> ready = CreatePipe();
  ASSERT_TRUE(ready.ok()) << ready.status();
  // The victim sends a request and never reads the answer: when it dies,
  // the kernel resets the connection (unread data), the harshest end.
  absl::StatusOr<ChildProcess> victim = ForkChild([&] {
    ready->reader = PipeReader();
    absl::StatusOr<StreamSocket> s = Connect(address);
    if (!s.ok()) return 1;
    if (!s->SendAll(SeededPattern(99, 3000), Soon()).ok()) return 2;
    if (!ready->writer.WriteAll("s").ok()) return 3;
    ::pause();
    return 4;
  });
  ASSERT_TRUE(victim.ok()) << victim.status();
  ready->writer = PipeWriter();

  ServerThread thread(*server);
  std::vector<StreamSocket> others;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<StreamSocket> c = Connect(address);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE(EchoRoundTrip(*c, SeededPattern(i, 700)).ok());
    others.push_back(*std::move(c));
  }
  char byte;
  ASSERT_TRUE(ready->reader.ReadFull(absl::MakeSpan(&byte, 1), Soon()).ok());
  // The victim's request has been echoed into its receive queue.
  ASSERT_TRUE(WaitForStats(*server, [](const ConcurrentServerStats& s) {
    return s.bytes_sent >= 3 * 700 + 3000;
  }));
  ASSERT_TRUE(victim->Kill(SIGKILL).ok());
  EXPECT_TRUE(victim->Wait(kPatience).killed_by(SIGKILL));

  ASSERT_TRUE(WaitForActive(*server, 3));
  std::vector<RecordingEchoHandler::Closed> closed = echo.closed();
  ASSERT_EQ(closed.size(), 1u);
  // ECONNRESET (or, if the reset raced with nothing left to read, a plain
  // end-of-stream): either way only that client is gone.
  EXPECT_TRUE(closed[0].reason.ok() ||
              absl::StrContains(closed[0].reason.message(), "reset"))
      << closed[0].reason;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(EchoRoundTrip(others[i], SeededPattern(50 + i, 3000)).ok())
        << i;
  }
  absl::StatusOr<StreamSocket> late = Connect(address);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(EchoRoundTrip(*late, "after the crash").ok());
}

// ---- Stopping ---------------------------------------------------------------

TEST(ConcurrentServerStopTest,
     StopFromAnotherThreadEndsRunWithConnectionsKept) {
  RecordingEchoHandler echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  std::vector<StreamSocket> clients;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE(EchoRoundTrip(*c, "hi").ok());
    clients.push_back(*std::move(c));
  }
  std::thread stopper([&] { server->Stop(); });
  absl::Status run = thread.Join();
  stopper.join();
  EXPECT_TRUE(run.ok()) << run;
  EXPECT_EQ(server->stats().active, 3);

  // Still served by the next Run().
  std::thread client_thread([&] {
    EXPECT_TRUE(EchoRoundTrip(clients[0], "again").ok());
    server->Stop();
  });
  EXPECT_TRUE(server->RunFor(kPatience).ok());
  client_thread.join();

  server->CloseAllConnections();
  EXPECT_EQ(server->stats().active, 0);
  for (const RecordingEchoHandler::Closed& closed : echo.closed()) {
    EXPECT_EQ(closed.reason.code(), absl::StatusCode::kCancelled);
  }
  EXPECT_EQ(echo.closed().size(), 3u);
  for (StreamSocket& c : clients) {
    absl::StatusOr<std::string> rest = ReadToEnd(c);
    ASSERT_TRUE(rest.ok()) << rest.status();
    EXPECT_EQ(*rest, "");
  }
}

TEST(ConcurrentServerStopTest, AStopBeforeRunIsNotLost) {
  EchoHandler echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  server->Stop();
  // OK, not TimedOut: Run returned because of the Stop.
  EXPECT_TRUE(server->RunFor(kPatience).ok());
}

TEST(ConcurrentServerStopTest, RunForTimesOutWithoutAStop) {
  EchoHandler echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  const absl::Time start = absl::Now();
  absl::Status status = server->RunFor(absl::Milliseconds(50));
  EXPECT_TRUE(IsTimedOut(status)) << status;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
}

std::atomic<ConcurrentServer*> g_server_to_stop{nullptr};
void StopServerOnSignal(int) {
  ConcurrentServer* server = g_server_to_stop.load();
  if (server != nullptr) server->Stop();
}

TEST(ConcurrentServerStopTest, StopFromASignalHandler) {
  EchoHandler echo;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, {});
  ASSERT_NE(server, nullptr);
  g_server_to_stop = server.get();
  absl::StatusOr<ScopedSignalHandler> handler =
      ScopedSignalHandler::Install(SIGUSR1, StopServerOnSignal);
  ASSERT_TRUE(handler.ok()) << handler.status();
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(EchoRoundTrip(*c, "before the signal").ok());

  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  absl::Status run = thread.Join();
  EXPECT_TRUE(run.ok()) << run;
  g_server_to_stop = nullptr;
}

// ---- Handlers ---------------------------------------------------------------

// Greets, then closes: the client reads the greeting, then end-of-stream.
class GreetAndClose : public ConnectionHandler {
 public:
  void OnOpen(Connection& c) override {
    EXPECT_TRUE(c.Write("hello\n"));
    c.Close();
  }
  size_t OnData(Connection&, absl::Span<const char>) override {
    ADD_FAILURE() << "OnData after Close()";
    return 0;
  }
};

TEST(ConcurrentServerHandlerTest, AGreetingIsSentBeforeAHandlerClose) {
  GreetAndClose greeter;
  std::unique_ptr<ConcurrentServer> server = MakeServer(greeter, {});
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
  ASSERT_TRUE(c.ok()) << c.status();
  absl::StatusOr<std::string> told = ReadToEnd(*c);
  ASSERT_TRUE(told.ok()) << told.status();
  EXPECT_EQ(*told, "hello\n");
  ASSERT_TRUE(WaitForActive(*server, 0));
  EXPECT_EQ(server->stats().failed, 0);
}

// Answers whole lines only: a line longer than the input buffer can never
// be answered.
class LineLengths : public ConnectionHandler {
 public:
  size_t OnData(Connection& c, absl::Span<const char> data) override {
    const absl::string_view text(data.data(), data.size());
    size_t used = 0;
    for (size_t eol; (eol = text.find('\n', used)) != text.npos;
         used = eol + 1) {
      if (!c.Write(absl::StrCat(eol - used, "\n"))) break;
    }
    return used;
  }
  void OnClose(Connection&, const absl::Status& reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    reasons_.push_back(reason);
  }
  std::vector<absl::Status> reasons() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reasons_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<absl::Status> reasons_;
};

TEST(ConcurrentServerHandlerTest, PartialRecordsWaitForTheirRest) {
  LineLengths lengths;
  ConcurrentServerOptions options;
  options.buffer_bytes = 64;
  std::unique_ptr<ConcurrentServer> server = MakeServer(lengths, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->SendAll("abc", Soon()).ok());
  ASSERT_TRUE(WaitForStats(*server, [](const ConcurrentServerStats& s) {
    return s.bytes_received == 3;
  }));
  ASSERT_TRUE(c->SendAll("de\nxy\n", Soon()).ok());
  char reply[4];
  ASSERT_TRUE(c->ReceiveFull(absl::MakeSpan(reply), Soon()).ok());
  EXPECT_EQ(absl::string_view(reply, 4), "5\n2\n");
}

TEST(ConcurrentServerHandlerTest, ARequestLargerThanTheBufferClosesTheClient) {
  LineLengths lengths;
  ConcurrentServerOptions options;
  options.buffer_bytes = 64;
  std::unique_ptr<ConcurrentServer> server = MakeServer(lengths, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->SendAll(std::string(100, 'x'), Soon()).ok());
  // The server closes: end-of-stream, or a reset as it had unread bytes.
  absl::StatusOr<std::string> rest = ReadToEnd(*c);
  EXPECT_TRUE(!rest.ok() || rest->empty());
  ASSERT_TRUE(WaitForActive(*server, 0));
  std::vector<absl::Status> reasons = lengths.reasons();
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].code(), absl::StatusCode::kResourceExhausted)
      << reasons[0];
  EXPECT_TRUE(absl::StrContains(reasons[0].message(), "64-byte input buffer"))
      << reasons[0];
  EXPECT_EQ(server->stats().failed, 1);
}

TEST(ConcurrentServerHandlerTest, IdsAreNeverReusedButSlotsAre) {
  RecordingEchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = 2;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  ServerThread thread(*server);
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<StreamSocket> c = Connect(AddressOf(*server));
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE(EchoRoundTrip(*c, "ping").ok());
    ASSERT_TRUE(c->Close().ok());
    ASSERT_TRUE(WaitForActive(*server, 0));
  }
  std::vector<RecordingEchoHandler::Closed> closed = echo.closed();
  ASSERT_EQ(closed.size(), 5u);
  for (size_t i = 0; i < closed.size(); ++i) {
    EXPECT_EQ(closed[i].id, i + 1);
    EXPECT_EQ(closed[i].slot, 0u);  // the lowest free slot, each time
  }
}

}  // namespace
}  // namespace ipcbox::testing
