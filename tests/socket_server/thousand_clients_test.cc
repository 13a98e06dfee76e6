// ConcurrentServer holds 1000 concurrent clients on loopback: a forked
// process opens 1000 TCP connections and keeps them all open; the server
// (on a thread of the test process) must count 1000 active connections at
// once, then echo a distinct message on every one of them, then see them
// all close. The server's process holds 1000 client descriptors and the
// client process another 1000, so each needs RLIMIT_NOFILE above 1000.
//
// The test prints how long connecting all clients and one echo on each
// took (a figure, not an assertion) and bounds the whole run.

#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tests/socket_server/server_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr int kClients = 1000;
// Descriptors each process needs beyond the clients: the test runner's,
// the server's own, pipes, and what the other process's fork left.
constexpr rlim_t kDescriptorMargin = 64;
// The whole run, connect to last close. Natively it takes well under a
// second; under qemu-user every system call is emulated, hence the margin.
constexpr absl::Duration kBudget = absl::Seconds(150);

// Sets the soft RLIMIT_NOFILE to the hard limit for the scope.
class ScopedRaisedDescriptorLimit {
 public:
  ScopedRaisedDescriptorLimit() {
    ok_ = ::getrlimit(RLIMIT_NOFILE, &saved_) == 0;
    struct rlimit raised = saved_;
    raised.rlim_cur = saved_.rlim_max;
    ok_ = ok_ && ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
  }
  ~ScopedRaisedDescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }
  rlim_t hard() const { return saved_.rlim_max; }

 private:
  bool ok_ = false;
  struct rlimit saved_;
};

// The parent and the client process take turns through two pipes; each
// step is one byte, the client's reports an int64 of microseconds.
absl::Status Send(PipeWriter& to, char step) {
  return to.WriteAll(absl::string_view(&step, 1));
}
absl::Status Expect(PipeReader& from, char step, const Deadline& deadline) {
  char got = 0;
  if (absl::Status s = from.ReadFull(absl::MakeSpan(&got, 1), deadline);
      !s.ok()) {
    return s;
  }
  if (got != step) {
    return absl::InternalError(absl::StrFormat(
        "expected step '%c' from the other process, got '%c'", step, got));
  }
  return absl::OkStatus();
}
absl::Status SendMicros(PipeWriter& to, absl::Duration elapsed) {
  const int64_t us = absl::ToInt64Microseconds(elapsed);
  return to.WriteAll(
      absl::string_view(reinterpret_cast<const char*>(&us), sizeof(us)));
}
absl::StatusOr<absl::Duration> ReceiveMicros(PipeReader& from,
                                             const Deadline& deadline) {
  int64_t us = 0;
  if (absl::Status s = from.ReadFull(
          absl::MakeSpan(reinterpret_cast<char*>(&us), sizeof(us)), deadline);
      !s.ok()) {
    return s;
  }
  return absl::Microseconds(us);
}

std::string MessageFor(int client) {
  return absl::StrFormat("client %04d!\n", client);  // 13 bytes
}

// The client process: 'g' -> connect all, report; 'e' -> echo once on
// each, report; 'c' -> close all.
int RunClients(const SocketAddress& server, PipeReader& from_parent,
               PipeWriter& to_parent, const Deadline& deadline) {
  std::vector<StreamSocket> clients;
  clients.reserve(kClients);
  if (!Expect(from_parent, 'g', deadline).ok()) return 10;

  const absl::Time connect_start = absl::Now();
  for (int i = 0; i < kClients; ++i) {
    absl::StatusOr<StreamSocket> c = StreamSocket::Connect(server, deadline);
    if (!c.ok()) {
      ADD_FAILURE() << "connecting client " << i << ": " << c.status();
      return 11;
    }
    clients.push_back(*std::move(c));
  }
  if (!SendMicros(to_parent, absl::Now() - connect_start).ok()) return 12;

  if (!Expect(from_parent, 'e', deadline).ok()) return 13;
  const absl::Time echo_start = absl::Now();
  for (int i = 0; i < kClients; ++i) {
    if (absl::Status s = clients[i].SendAll(MessageFor(i), deadline); !s.ok()) {
      ADD_FAILURE() << "client " << i << " sending: " << s;
      return 14;
    }
  }
  for (int i = 0; i < kClients; ++i) {
    const std::string sent = MessageFor(i);
    std::string reply(sent.size(), '\0');
    absl::Status s = clients[i].ReceiveFull(absl::MakeSpan(reply), deadline);
    if (!s.ok() || reply != sent) {
      ADD_FAILURE() << "client " << i << ": " << s << " \"" << reply << "\"";
      return 15;
    }
  }
  if (!SendMicros(to_parent, absl::Now() - echo_start).ok()) return 16;

  if (!Expect(from_parent, 'c', deadline).ok()) return 17;
  clients.clear();  // closes all 1000
  return 0;
}

TEST(ConcurrentServerScaleTest, HoldsAThousandConcurrentClientsOnLoopback) {
  ScopedRaisedDescriptorLimit limit;
  const rlim_t needed = kClients + kDescriptorMargin;
  if (!limit.ok() || (limit.hard() != RLIM_INFINITY && limit.hard() < needed)) {
    GTEST_SKIP() << "needs " << needed
                 << " descriptors in each of two processes; the hard "
                    "RLIMIT_NOFILE here is "
                 << limit.hard() << (limit.ok() ? "" : " (could not raise)");
  }
  const Deadline deadline = Deadline::After(kBudget);

  EchoHandler echo;
  ConcurrentServerOptions options;
  options.max_connections = kClients;
  options.buffer_bytes = 256;
  std::unique_ptr<ConcurrentServer> server = MakeServer(echo, options);
  ASSERT_NE(server, nullptr);
  const SocketAddress address = AddressOf(*server);

  absl::StatusOr<Pipe> down = CreatePipe();  // parent -> clients
  absl::StatusOr<Pipe> up = CreatePipe();    // clients -> parent
  ASSERT_TRUE(down.ok() && up.ok());
  // Forked before the server's thread starts: the child is a copy of a
  // single-threaded process.
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    down->writer = PipeWriter();
    up->reader = PipeReader();
    return RunClients(address, down->reader, up->writer, deadline);
  });
  ASSERT_TRUE(child.ok()) << child.status();
  down->reader = PipeReader();
  up->writer = PipeWriter();

  ServerThread thread(*server);
  ASSERT_TRUE(Send(down->writer, 'g').ok());
  absl::StatusOr<absl::Duration> connect_time =
      ReceiveMicros(up->reader, deadline);
  ASSERT_TRUE(connect_time.ok())
      << connect_time.status()
      << "; clients: " << child->Wait(absl::Seconds(1));

  // All 1000 connected and none closed: the server must count them all.
  const absl::Time accept_wait_start = absl::Now();
  EXPECT_TRUE(WaitForStats(
      *server,
      [](const ConcurrentServerStats& s) { return s.active == kClients; },
      deadline.Remaining()))
      << "active: " << server->stats().active;
  const absl::Duration accept_lag = absl::Now() - accept_wait_start;

  ASSERT_TRUE(Send(down->writer, 'e').ok());
  absl::StatusOr<absl::Duration> echo_time =
      ReceiveMicros(up->reader, deadline);
  ASSERT_TRUE(echo_time.ok())
      << echo_time.status() << "; clients: " << child->Wait(absl::Seconds(1));

  ASSERT_TRUE(Send(down->writer, 'c').ok());
  EXPECT_TRUE(ExitedWith(child->Wait(deadline.Remaining()), 0));
  EXPECT_TRUE(WaitForStats(
      *server, [](const ConcurrentServerStats& s) { return s.active == 0; },
      deadline.Remaining()))
      << "active: " << server->stats().active;
  ASSERT_TRUE(thread.StopAndJoin().ok());

  const ConcurrentServerStats stats = server->stats();
  EXPECT_EQ(stats.accepted, kClients);
  EXPECT_EQ(stats.peak_active, kClients);
  EXPECT_EQ(stats.refused, 0);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.closed, kClients);
  EXPECT_EQ(stats.bytes_sent, int64_t{kClients} * 13);

  const std::string figure = absl::StrFormat(
      "%d clients on loopback: all connected in %.1f ms (the server counted "
      "them all %.1f ms later), one echo on each in %.1f ms",
      kClients, absl::ToDoubleMilliseconds(*connect_time),
      absl::ToDoubleMilliseconds(accept_lag),
      absl::ToDoubleMilliseconds(*echo_time));
  std::printf("%s\n", figure.c_str());
  RecordProperty("figure", figure);
}

}  // namespace
}  // namespace ipcbox::testing
