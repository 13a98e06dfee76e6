#include "examples/socket_server/concurrent_echo_server.h"

#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/signal_number.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "ipcbox/socket_server/line_log.h"

namespace ipcbox::examples {
namespace {

// What the signal handler may touch: a lock-free atomic pointer and an
// atomic int. `ConcurrentServer::Stop()` is async-signal-safe.
std::atomic<ConcurrentServer*> g_server{nullptr};
std::atomic<int> g_stop_signal{0};

void StopOnSignal(int signo) {
  g_stop_signal.store(signo);
  ConcurrentServer* server = g_server.load();
  if (server != nullptr) server->Stop();
}

// Echoes, and says who comes and goes. Through a LineLog: a stdout that
// nobody drains, or whose reader has gone, drops lines instead of stalling
// or killing (SIGPIPE) the event loop.
class LoggingEchoHandler : public EchoHandler {
 public:
  LoggingEchoHandler(LineLog& out, bool log) : out_(out), log_(log) {}

  void OnOpen(Connection& c) override {
    ++connected_;
    if (!log_) return;
    out_.Printf("client %llu connected from %s (%d connected)",
                static_cast<unsigned long long>(c.id()),
                c.peer().ToString().c_str(), connected_);
  }

  void OnClose(Connection& c, const absl::Status& reason) override {
    --connected_;
    if (!log_) return;
    if (reason.ok()) {
      out_.Printf("client %llu disconnected (%d connected)",
                  static_cast<unsigned long long>(c.id()), connected_);
    } else if (reason.code() == absl::StatusCode::kCancelled) {
      out_.Printf("client %llu closed: server stopping (%d connected)",
                  static_cast<unsigned long long>(c.id()), connected_);
    } else {
      out_.Printf("client %llu dropped: %s (%d connected)",
                  static_cast<unsigned long long>(c.id()),
                  reason.ToString().c_str(), connected_);
    }
  }

 private:
  LineLog& out_;
  bool log_;
  int connected_ = 0;
};

// A server with many clients needs a descriptor per client; distributions
// often start programs with a soft limit of 1024 and a higher hard limit.
void RaiseDescriptorLimitFor(int max_connections) {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + 64;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = (limit.rlim_max == RLIM_INFINITY || limit.rlim_max > wanted)
                       ? wanted
                       : limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

int Fail(LineLog& out, const absl::Status& status) {
  out.Printf("concurrent_echo_server: %s", status.ToString().c_str());
  return 1;
}

}  // namespace

int RunConcurrentEchoServer(const EchoServerConfig& config,
                            std::FILE* out_file) {
  // Everything goes through the descriptor from here on.
  std::fflush(out_file);
  LineLog out(::fileno(out_file));

  absl::StatusOr<SocketAddress> address =
      SocketAddress::Inet(config.host, config.port);
  if (!address.ok()) return Fail(out, address.status());
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(*address);
  if (!listener.ok()) return Fail(out, listener.status());

  RaiseDescriptorLimitFor(config.max_connections);
  LoggingEchoHandler handler(out, config.log_connections);
  ConcurrentServerOptions options;
  options.max_connections = config.max_connections;
  options.buffer_bytes = config.buffer_bytes;
  options.refusal_message = config.refusal_message;
  absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
      ConcurrentServer::Create(*std::move(listener), handler, options);
  if (!server.ok()) return Fail(out, server.status());

  g_stop_signal = 0;
  g_server = server->get();
  absl::StatusOr<ScopedSignalHandler> on_int =
      ScopedSignalHandler::Install(SIGINT, StopOnSignal);
  absl::StatusOr<ScopedSignalHandler> on_term =
      ScopedSignalHandler::Install(SIGTERM, StopOnSignal);
  if (!on_int.ok() || !on_term.ok()) {
    g_server = nullptr;
    return Fail(out, on_int.ok() ? on_term.status() : on_int.status());
  }

  absl::StatusOr<SocketAddress> bound = (*server)->listener().LocalAddress();
  out.Printf(
      "concurrent_echo_server: listening on %s (up to %d clients, "
      "%zu-byte buffers)",
      bound.ok() ? bound->ToString().c_str() : "?", config.max_connections,
      config.buffer_bytes);

  const absl::Status run = (*server)->Run();
  g_server = nullptr;
  (*server)->CloseAllConnections();
  if (!run.ok()) return Fail(out, run);

  const ConcurrentServerStats stats = (*server)->stats();
  const int64_t dropped = out.dropped();
  out.Printf(
      "stopped by %s: %lld clients served, %lld refused, %lld bytes echoed%s",
      SignalName(g_stop_signal.load()).c_str(),
      static_cast<long long>(stats.accepted),
      static_cast<long long>(stats.refused),
      static_cast<long long>(stats.bytes_sent),
      dropped > 0 ? absl::StrCat(" (", dropped,
                                 " log lines dropped: output not drained)")
                        .c_str()
                  : "");
  return 0;
}

}  // namespace ipcbox::examples
