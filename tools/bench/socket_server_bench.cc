// Concurrent server benchmark: lib/socket_server's ConcurrentServer with
// its EchoHandler against a minimal echo server written on raw epoll, both
// serving the same TCP loopback clients in the same run.
//
//   ./bazelw run -c opt //tools/bench:socket_server_bench
//   ./bazelw run -c opt //tools/bench:socket_server_bench -- --filter=8
//
// The server is the peer process; the parent is the clients, on raw
// send/recv for both variants, so only the server differs. The raw server
// is what an echo server on epoll needs at least: level-triggered, recv
// into one buffer, send it back. ConcurrentServer adds its connection
// table, per-connection input and output buffers (a copy from one to the
// other), back-pressure bookkeeping, statistics and the handler call.
//
// Cases: one client, 64 B round trips; eight clients, one 64 B message on
// each then every reply (one op = 8 round trips, multiplexed); one client,
// 16 KiB round trips (each through 4 KiB server buffers, several sends).
// TCP_NODELAY is set on the listener, which accepted sockets inherit.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tools/bench/harness.h"
#include "tools/bench/raw_io.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kServerBuffer = 4096;

absl::Status Errno(const char* call) {
  return absl::ErrnoToStatus(errno, call);
}

// ------------------------------------------------------------ raw server

// The least an epoll echo server does: level-triggered, one buffer, recv
// then send back, until it has echoed `total` bytes.
absl::Status ServeRaw(int listen_fd, int64_t total) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Errno("epoll_create1");
  epoll_event listen_event = {};
  listen_event.events = EPOLLIN;
  listen_event.data.fd = listen_fd;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event) != 0) {
    return Errno("epoll_ctl");
  }
  char buf[kServerBuffer];
  epoll_event events[16];
  int64_t echoed = 0;
  absl::Status status;
  while (status.ok() && echoed < total) {
    const int n = ::epoll_wait(epoll_fd, events, 16, 5000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = n == 0 ? absl::DeadlineExceededError("raw server idle")
                      : Errno("epoll_wait");
      break;
    }
    for (int i = 0; i < n && status.ok(); ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd) {
        const int client = ::accept4(listen_fd, nullptr, nullptr,
                                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) continue;
        epoll_event event = {};
        event.events = EPOLLIN;
        event.data.fd = client;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &event);
        continue;
      }
      const ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        continue;
      }
      status = RawSendAll(fd, buf, static_cast<size_t>(got));
      echoed += got;
    }
  }
  ::close(epoll_fd);  // the peer exits next: its client sockets go with it
  return status;
}

// -------------------------------------------------------- ipcbox server

// EchoHandler that stops the server once `total` bytes were echoed.
class CountingEcho : public EchoHandler {
 public:
  void Arm(ConcurrentServer* server, int64_t total) {
    server_ = server;
    left_ = total;
  }
  size_t OnData(Connection& c, absl::Span<const char> data) override {
    const size_t n = EchoHandler::OnData(c, data);
    left_ -= static_cast<int64_t>(n);
    if (left_ <= 0) server_->Stop();
    return n;
  }

 private:
  ConcurrentServer* server_ = nullptr;
  int64_t left_ = 0;
};

absl::Status ServeIpcbox(ConcurrentServer& server, int64_t total) {
  if (absl::Status s = server.Run(); !s.ok()) return s;
  // Stop() was asked while the last reply was queued: let it go out.
  const Deadline deadline = Deadline::After(absl::Seconds(5));
  while (server.stats().bytes_sent < total && !deadline.expired()) {
    (void)server.RunFor(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

// ----------------------------------------------------------------- cases

struct EchoCase {
  EchoCase(int clients, size_t message) : clients(clients), message(message) {}

  const int clients;
  const size_t message;
  StreamListener listener;
  std::vector<int> client_fds;
  // Peer only.
  CountingEcho handler;
  std::unique_ptr<ConcurrentServer> server;

  int64_t TotalBytes(int64_t ops) const {
    return ops * clients * static_cast<int64_t>(message);
  }

  absl::Status Setup() {
    absl::StatusOr<StreamListener> l =
        StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
    if (!l.ok()) return l.status();
    listener = *std::move(l);
    const int one = 1;
    if (::setsockopt(listener.fd().get(), IPPROTO_TCP, TCP_NODELAY, &one,
                     sizeof(one)) != 0) {
      return Errno("setsockopt(TCP_NODELAY)");
    }
    absl::StatusOr<SocketAddress> address = listener.LocalAddress();
    if (!address.ok()) return address.status();
    for (int i = 0; i < clients; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return Errno("socket");
      client_fds.push_back(fd);
      if (::connect(fd, address->sockaddr(), address->size()) != 0) {
        return Errno("connect");
      }
      if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
        return Errno("setsockopt(TCP_NODELAY)");
      }
    }
    return absl::OkStatus();
  }

  void Teardown() {
    for (int fd : client_fds) ::close(fd);
    client_fds.clear();
    listener = StreamListener();
  }

  // The peer does not use the clients' ends: without its copies, a client
  // closed by the parent is an end-of-stream for the server.
  void CloseClientCopies() {
    for (int fd : client_fds) ::close(fd);
    client_fds.clear();
  }

  // The clients: a message on each, then each reply.
  absl::Status RunClients(int64_t ops) {
    std::string out(message, 'm');
    std::string in(message, '\0');
    for (int64_t op = 0; op < ops; ++op) {
      for (int fd : client_fds) {
        if (absl::Status s = RawSendAll(fd, out.data(), out.size()); !s.ok()) {
          return s;
        }
      }
      for (int fd : client_fds) {
        if (absl::Status s = RawReceiveFull(fd, in.data(), in.size());
            !s.ok()) {
          return s;
        }
      }
    }
    return absl::OkStatus();
  }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return Setup(); };
    v.peer_setup = [this] {
      CloseClientCopies();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      return ServeRaw(listener.fd().get(), TotalBytes(ops));
    };
    v.run = [this](int64_t ops) { return RunClients(ops); };
    v.teardown = [this] { Teardown(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return Setup(); };
    v.peer_setup = [this]() -> absl::Status {
      CloseClientCopies();
      ConcurrentServerOptions options;
      options.max_connections = clients;
      options.buffer_bytes = kServerBuffer;
      absl::StatusOr<std::unique_ptr<ConcurrentServer>> created =
          ConcurrentServer::Create(std::move(listener), handler, options);
      if (!created.ok()) return created.status();
      server = *std::move(created);
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      handler.Arm(server.get(), TotalBytes(ops));
      return ServeIpcbox(*server, TotalBytes(ops));
    };
    v.run = [this](int64_t ops) { return RunClients(ops); };
    v.teardown = [this] { Teardown(); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::EchoCase;
  EchoCase one_small(1, 64);
  EchoCase eight_small(8, 64);
  EchoCase one_large(1, 16 << 10);

  ipcbox::bench::Suite suite(
      "Concurrent echo server: ipcbox ConcurrentServer vs raw epoll loop");
  suite.Add({"TCP echo, 1 client, 64 B round trip", 4000, 64}, one_small.Raw(),
            one_small.Ipcbox());
  suite.Add({"TCP echo, 8 clients, 64 B each per op", 1000, 8 * 64},
            eight_small.Raw(), eight_small.Ipcbox());
  suite.Add({"TCP echo, 1 client, 16 KiB round trip", 1000, 16 << 10},
            one_large.Raw(), one_large.Ipcbox());
  return suite.Main(argc, argv);
}
