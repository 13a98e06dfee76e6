// Helpers for the lib/socket_server tests: loopback and Unix listeners with
// RAII cleanup, a server running on a thread of its own, bounded waits on
// the server's counters, echo round trips with content checks, and a
// handler that records what it was told.

#ifndef IPCBOX_TESTS_SOCKET_SERVER_SERVER_TEST_UTIL_H_
#define IPCBOX_TESTS_SOCKET_SERVER_SERVER_TEST_UTIL_H_

#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tests/support/pattern.h"
#include "tests/support/scoped_socket_path.h"

namespace ipcbox::testing {

// Bound for every wait on something that should happen promptly. Generous:
// the ARM tests run under qemu-user on a shared 2-vCPU machine.
inline constexpr absl::Duration kPatience = absl::Seconds(60);
inline Deadline Soon() { return Deadline::After(kPatience); }

// A TCP listener on 127.0.0.1 and a port the kernel picks.
inline absl::StatusOr<StreamListener> ListenOnLoopback() {
  return StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
}

// Where a listener is: for clients to connect to.
inline SocketAddress AddressOf(const StreamListener& listener) {
  absl::StatusOr<SocketAddress> address = listener.LocalAddress();
  EXPECT_TRUE(address.ok()) << address.status();
  return address.ok() ? *address : SocketAddress();
}
inline SocketAddress AddressOf(const ConcurrentServer& server) {
  return AddressOf(server.listener());
}

// Runs `server.Run()` on a thread. `StopAndJoin()` (or the destructor)
// stops it and waits for the thread, bounded: a loop that does not stop
// fails the test rather than hanging it.
class ServerThread {
 public:
  explicit ServerThread(ConcurrentServer& server) : server_(server) {
    state_ = std::make_shared<State>();
    std::shared_ptr<State> state = state_;
    thread_ = std::thread([state, &server] {
      absl::Status status = server.Run();
      std::lock_guard<std::mutex> lock(state->mu);
      state->status = std::move(status);
      state->done = true;
    });
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;
  ~ServerThread() {
    if (thread_.joinable()) (void)StopAndJoin();
  }

  // Run()'s status; a kDeadlineExceeded with a message if it did not return.
  absl::Status StopAndJoin() {
    server_.Stop();
    return Join();
  }

  // Waits for Run() to return by itself (after a Stop() made elsewhere).
  absl::Status Join() {
    const Deadline deadline = Soon();
    while (!Done()) {
      if (deadline.expired()) {
        // The thread still uses the server: it cannot be left behind.
        ADD_FAILURE() << "ConcurrentServer::Run() did not return within "
                      << kPatience << " of Stop()";
        std::abort();
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    thread_.join();
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->status;
  }

  bool Done() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->done;
  }

 private:
  struct State {
    mutable std::mutex mu;
    bool done = false;
    absl::Status status;
  };
  ConcurrentServer& server_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

// Waits until `condition(server.stats())` holds; false at the deadline.
inline bool WaitForStats(
    const ConcurrentServer& server,
    const std::function<bool(const ConcurrentServerStats&)>& condition,
    absl::Duration timeout = kPatience) {
  const Deadline deadline = Deadline::After(timeout);
  while (!condition(server.stats())) {
    if (deadline.expired()) return false;
    absl::SleepFor(absl::Microseconds(500));
  }
  return true;
}

inline bool WaitForActive(const ConcurrentServer& server, int64_t active) {
  return WaitForStats(server, [active](const ConcurrentServerStats& s) {
    return s.active == active;
  });
}

// Sends `message` and reads the same number of bytes back, by `deadline`;
// OK only if they are equal.
inline absl::Status EchoRoundTrip(StreamSocket& client,
                                  absl::string_view message,
                                  Deadline deadline = Soon()) {
  if (absl::Status s = client.SendAll(message, deadline); !s.ok()) return s;
  std::string reply(message.size(), '\0');
  if (absl::Status s = client.ReceiveFull(absl::MakeSpan(reply), deadline);
      !s.ok()) {
    return s;
  }
  if (reply != message) {
    return absl::DataLossError(absl::StrCat(
        "the echo of ", message.size(), " bytes differs from what was sent"));
  }
  return absl::OkStatus();
}

inline absl::StatusOr<StreamSocket> Connect(const SocketAddress& address) {
  return StreamSocket::Connect(address, Soon());
}

// Reads until end-of-stream; returns what arrived, or the error (ECONNRESET
// included) that ended it.
inline absl::StatusOr<std::string> ReadToEnd(StreamSocket& client,
                                             Deadline deadline = Soon()) {
  std::string all;
  char buf[4096];
  for (;;) {
    absl::StatusOr<size_t> n =
        client.ReceiveUntil(absl::MakeSpan(buf), deadline);
    if (IsEndOfStream(n.status())) return all;
    if (!n.ok()) return n.status();
    all.append(buf, *n);
  }
}

// An echo handler that also records opens and closes (with their reasons),
// for tests that check what the server told its handler. Thread-safe: the
// test reads while the server's thread writes.
class RecordingEchoHandler : public EchoHandler {
 public:
  struct Closed {
    uint64_t id;
    size_t slot;
    absl::Status reason;
  };

  void OnOpen(Connection& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    opened_.push_back(c.id());
  }
  void OnClose(Connection& c, const absl::Status& reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_.push_back({c.id(), c.slot(), reason});
  }

  std::vector<uint64_t> opened() const {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  std::vector<Closed> closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<uint64_t> opened_;
  std::vector<Closed> closed_;
};

// Creates a server or fails the test.
inline std::unique_ptr<ConcurrentServer> MakeServer(
    ConnectionHandler& handler, const ConcurrentServerOptions& options,
    absl::StatusOr<StreamListener> listener = ListenOnLoopback()) {
  EXPECT_TRUE(listener.ok()) << listener.status();
  if (!listener.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
      ConcurrentServer::Create(*std::move(listener), handler, options);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  return *std::move(server);
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SOCKET_SERVER_SERVER_TEST_UTIL_H_
