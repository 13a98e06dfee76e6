// socat as a real, independent peer: the client of ipcbox Unix and TCP
// servers, and the server (stream and datagram) for ipcbox clients. socat
// is a host program; it is exec'd (fine under qemu-user too: the child
// runs it natively). Skips, saying so, where socat is not installed.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/iterative_server.h"
#include "ipcbox/socket/stream_listener.h"
#include "tests/socket/socket_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

std::string FindSocat() {
  const char* path = std::getenv("PATH");
  std::string dirs =
      path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin";
  for (absl::string_view dir : absl::StrSplit(dirs, ':')) {
    const std::string candidate = absl::StrCat(dir, "/socat");
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

#define REQUIRE_SOCAT(var)             \
  const std::string var = FindSocat(); \
  if (var.empty()) GTEST_SKIP() << "socat is not installed (PATH)"

// socat running with its stdin and stdout connected to pipes of ours.
struct Socat {
  absl::StatusOr<ChildProcess> process;
  Fd stdin_writer;
  Fd stdout_reader;
};

Socat StartSocat(const std::string& socat, std::vector<std::string> args) {
  PipeFds in = MakePipe();
  PipeFds out = MakePipe();
  Socat running;
  running.process = ForkChild([&] {
    // dup2 clears close-on-exec on the copies.
    if (::dup2(in.read_end.get(), STDIN_FILENO) < 0 ||
        ::dup2(out.write_end.get(), STDOUT_FILENO) < 0) {
      return 126;
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("socat"));
    for (std::string& a : args) argv.push_back(&a[0]);
    argv.push_back(nullptr);
    ::execv(socat.c_str(), argv.data());
    return 127;
  });
  running.stdin_writer = std::move(in.write_end);
  running.stdout_reader = std::move(out.read_end);
  return running;
}

// Everything `fd` yields until end-of-file, within the test's patience.
std::string ReadToEnd(const Fd& fd) {
  std::string text;
  char buf[256];
  const Deadline deadline = Soon();
  while (!deadline.expired()) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// Reads the client's request to end-of-stream, answers "echo: <request>".
absl::Status AnswerRequest(StreamSocket& client) {
  absl::StatusOr<std::string> request = ReceiveToEnd(client);
  if (!request.ok()) return request.status();
  return client.SendAll(absl::StrCat("echo: ", *request), Soon());
}

void ExpectSocatClientServed(const std::string& socat, StreamListener& listener,
                             const std::string& socat_address) {
  Socat client =
      StartSocat(socat, {"-t", "10", "-T", "30", "-", socat_address});
  ASSERT_TRUE(client.process.ok()) << client.process.status();
  const std::string request = "hello from socat\n";
  ASSERT_EQ(::write(client.stdin_writer.get(), request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  client.stdin_writer.reset();  // EOF: socat shuts its sending side down

  IterativeServerOptions options;
  options.max_clients = 1;
  options.deadline = Soon();
  IterativeServerStats stats;
  absl::Status served =
      ServeIteratively(listener, AnswerRequest, options, &stats);
  EXPECT_TRUE(served.ok()) << served;
  EXPECT_EQ(stats.served, 1);
  EXPECT_EQ(ReadToEnd(client.stdout_reader), "echo: hello from socat\n");
  EXPECT_TRUE(ExitedWith(client.process->Wait(kPatience), 0));
}

TEST(SocatTest, SocatIsTheClientOfAnIpcboxUnixServer) {
  REQUIRE_SOCAT(socat);
  ScopedSocketPath path("socat_unix_server");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  ExpectSocatClientServed(socat, *listener,
                          absl::StrCat("UNIX-CONNECT:", path.path()));
}

TEST(SocatTest, SocatIsTheClientOfAnIpcboxTcpServer) {
  REQUIRE_SOCAT(socat);
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status();
  ExpectSocatClientServed(
      socat, *listener,
      absl::StrCat("TCP:127.0.0.1:", *listener->LocalAddress()->port()));
}

// Connects to a server socat is still starting: retries refusals (and a
// missing path) until the deadline.
absl::StatusOr<StreamSocket> ConnectWhenUp(const SocketAddress& address) {
  const Deadline deadline = Soon();
  for (;;) {
    absl::StatusOr<StreamSocket> s = StreamSocket::Connect(address, deadline);
    if (s.ok() || deadline.expired()) return s;
    // ECONNREFUSED (nobody listens yet) or ENOENT (no socket file yet).
    if (!absl::IsFailedPrecondition(s.status()) &&
        !absl::IsNotFound(s.status())) {
      return s;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// A free TCP port on 127.0.0.1, from the kernel (a race with other programs
// picking it in between is possible but unlikely).
uint16_t FreeTcpPort() {
  absl::StatusOr<StreamListener> probe =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  return probe.ok() ? *probe->LocalAddress()->port() : 0;
}

void ExpectUppercasedBySocat(const SocketAddress& server) {
  absl::StatusOr<StreamSocket> s = ConnectWhenUp(server);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->SendAll("hello from ipcbox", Soon()).ok());
  ASSERT_TRUE(s->Shutdown(ShutdownDirection::kWrite).ok());
  absl::StatusOr<std::string> reply = ReceiveToEnd(*s);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, "HELLO FROM IPCBOX");
}

TEST(SocatTest, SocatIsATcpServerForAnIpcboxClient) {
  REQUIRE_SOCAT(socat);
  const uint16_t port = FreeTcpPort();
  ASSERT_NE(port, 0);
  Socat server = StartSocat(
      socat, {"-T", "30",
              absl::StrCat("TCP-LISTEN:", port, ",bind=127.0.0.1,reuseaddr"),
              "SYSTEM:tr a-z A-Z"});
  ASSERT_TRUE(server.process.ok()) << server.process.status();
  ExpectUppercasedBySocat(SocketAddress::Ipv4Loopback(port));
  EXPECT_TRUE(ExitedWith(server.process->Wait(kPatience), 0));
}

TEST(SocatTest, SocatIsAUnixServerForAnIpcboxClient) {
  REQUIRE_SOCAT(socat);
  ScopedSocketPath path("socat_unix_listen");
  Socat server =
      StartSocat(socat, {"-T", "30", absl::StrCat("UNIX-LISTEN:", path.path()),
                         "SYSTEM:tr a-z A-Z"});
  ASSERT_TRUE(server.process.ok()) << server.process.status();
  ExpectUppercasedBySocat(path.address());
  EXPECT_TRUE(ExitedWith(server.process->Wait(kPatience), 0));
}

TEST(SocatTest, SocatEchoesIpcboxUnixDatagrams) {
  REQUIRE_SOCAT(socat);
  ScopedSocketPath path("socat_dgram");
  Socat server = StartSocat(
      socat,
      {"-T", "30", absl::StrCat("UNIX-RECVFROM:", path.path()), "EXEC:cat"});
  ASSERT_TRUE(server.process.ok()) << server.process.status();
  // Bound, so that socat can send the answer back.
  absl::StatusOr<DatagramSocket> client =
      DatagramSocket::Bind(UniqueAbstractAddress("socat_dgram_client"));
  ASSERT_TRUE(client.ok()) << client.status();
  const Deadline deadline = Soon();
  absl::Status sent;
  do {  // until socat has bound its path
    sent = client->SendTo("datagram", path.address());
    if (!sent.ok()) absl::SleepFor(absl::Milliseconds(10));
  } while (!sent.ok() && !deadline.expired());
  ASSERT_TRUE(sent.ok()) << sent;
  char buf[64];
  absl::StatusOr<size_t> n = client->ReceiveUntil(absl::MakeSpan(buf), Soon());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "datagram");
  ASSERT_TRUE(server.process->Kill(SIGTERM).ok());  // RECVFROM waits for more
  server.process->Wait(kPatience);
}

}  // namespace
}  // namespace ipcbox::testing
