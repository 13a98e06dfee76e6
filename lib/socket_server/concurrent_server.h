// concurrent_server.h
//
// `ConcurrentServer` serves many stream clients (TCP or Unix) at once from
// one thread: an epoll loop over a listener and a fixed table of
// connections, each with input and output buffers sized at start. `Create()`
// allocates everything once; accepting, serving and closing a client
// allocate nothing (only a client's error message does), so memory use is
// known before the first client and stays flat under load. A full table,
// EMFILE, idle or never-reading clients and back-pressure are handled
// without affecting other clients; lib/socket_server's README.md says how.
//
// Example (an echo server on port 9876 for up to 1000 clients):
//
//   absl::StatusOr<StreamListener> listener =
//       StreamListener::Listen(SocketAddress::Ipv4Any(9876));
//   if (!listener.ok()) return listener.status();
//   EchoHandler echo;  // or your own ConnectionHandler
//   ConcurrentServerOptions options;
//   options.max_connections = 1000;
//   absl::StatusOr<std::unique_ptr<ConcurrentServer>> server =
//       ConcurrentServer::Create(*std::move(listener), echo, options);
//   if (!server.ok()) return server.status();
//   absl::Status run = (*server)->Run();   // until (*server)->Stop()
//   (*server)->CloseAllConnections();
//
// `Stop()` and `stats()` may be called from any thread, `Stop()` also from a
// signal handler; everything else, and the handler, runs on the loop's
// thread. Socket options that Linux copies to accepted sockets (TCP_NODELAY,
// SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE) are set on the listener.

#ifndef IPCBOX_SOCKET_SERVER_CONCURRENT_SERVER_H_
#define IPCBOX_SOCKET_SERVER_CONCURRENT_SERVER_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/connection_handler.h"
#include "ipcbox/socket_server/connection_timers.h"

namespace ipcbox {

struct ConcurrentServerOptions {
  // Size of the connection table: clients served at once. Each takes a
  // descriptor; `Create()` fails if RLIMIT_NOFILE cannot cover them.
  int max_connections = 64;
  // Bytes of each connection's input buffer, and of its output buffer. The
  // memory allocated at start is 2 * max_connections * buffer_bytes (the
  // pages are touched only as connections use them).
  size_t buffer_bytes = 4096;
  // Events taken from the kernel per epoll_wait().
  int events_per_wait = 64;
  // Clients accepted per wake-up at most, before existing clients get their
  // turn.
  int accepts_per_wakeup = 32;
  // Sent to a client refused because the table is full, before it is
  // closed (e.g. "busy\n"). Empty: just close.
  std::string refusal_message;
  // A client is closed after this long without receiving a byte from it
  // while nothing is queued for it (kDeadlineExceeded, counted in
  // `idle_timeouts`). absl::InfiniteDuration(): never.
  absl::Duration idle_timeout = absl::Minutes(5);
  // A client is closed after its pending output has made no progress for
  // this long (it does not read; counted in `write_stall_timeouts`).
  // absl::InfiniteDuration(): never.
  absl::Duration write_stall_timeout = absl::Seconds(60);
};

// Counters since `Create()`. Read with `ConcurrentServer::stats()` from any
// thread.
struct ConcurrentServerStats {
  int64_t accepted = 0;     // clients taken into the table
  int64_t refused = 0;      // clients accepted and closed: table full, or
                            // out of descriptors
  int64_t closed = 0;       // table clients closed (for any reason)
  int64_t failed = 0;       // of those, closed because of an error
  int64_t active = 0;       // clients in the table now
  int64_t peak_active = 0;  // the most clients in the table at once
  int64_t bytes_received = 0;
  int64_t bytes_sent = 0;
  int64_t read_pauses = 0;    // times a client's reading was paused because
                              // its buffers were full (back-pressure)
  int64_t accept_errors = 0;  // accept() failures other than "no client"
  int64_t idle_timeouts = 0;  // clients closed for `idle_timeout`
  int64_t write_stall_timeouts = 0;  // ... for `write_stall_timeout`
};

class ConcurrentServer {
 public:
  // Takes over `listener` (made non-blocking) and serves its clients with
  // `handler`, which must outlive the server. kInvalidArgument for options
  // out of range or a listener that is not open; kResourceExhausted if
  // the buffers cannot be allocated or RLIMIT_NOFILE is lower than
  // `max_connections` plus the server's own few descriptors.
  static absl::StatusOr<std::unique_ptr<ConcurrentServer>> Create(
      StreamListener listener, ConnectionHandler& handler,
      const ConcurrentServerOptions& options = {});

  ConcurrentServer(const ConcurrentServer&) = delete;
  ConcurrentServer& operator=(const ConcurrentServer&) = delete;
  // Closes every connection (without calling the handler) and the listener.
  ~ConcurrentServer();

  // Serves clients until `Stop()`; returns OK then. An error means the loop
  // itself failed (epoll_wait, or epoll_ctl on the listener: a server that
  // could not resume accepting says so rather than serving nobody
  // silently); client errors never end it. Connections
  // stay open when it returns: `Run()` again to go on serving them, or
  // `CloseAllConnections()`.
  absl::Status Run();
  // As `Run()`, but returns `TimedOutError()` (no allocation) at the
  // deadline if `Stop()` was not called first.
  absl::Status RunUntil(Deadline deadline);
  absl::Status RunFor(absl::Duration timeout);

  // Makes the running `Run()` return, or the next one if none is running
  // (so a stop is not lost when it races with the start). Async-signal-safe
  // and thread-safe: one write() to an eventfd.
  void Stop();

  // Closes every connection now (pending output is dropped), calling the
  // handler's `OnClose()` with a kCancelled status. Not while running.
  void CloseAllConnections();

  // A snapshot of the counters; any thread.
  ConcurrentServerStats stats() const;

  // The listener, e.g. for `LocalAddress()` after listening on port 0.
  const StreamListener& listener() const { return listener_; }
  int max_connections() const { return max_connections_; }
  size_t buffer_bytes() const { return buffer_bytes_; }

 private:
  // Counters written by the loop's thread only, read by any thread.
  struct AtomicStats {
    std::atomic<int64_t> accepted{0};
    std::atomic<int64_t> refused{0};
    std::atomic<int64_t> closed{0};
    std::atomic<int64_t> failed{0};
    std::atomic<int64_t> active{0};
    std::atomic<int64_t> peak_active{0};
    std::atomic<int64_t> bytes_received{0};
    std::atomic<int64_t> bytes_sent{0};
    std::atomic<int64_t> read_pauses{0};
    std::atomic<int64_t> accept_errors{0};
    std::atomic<int64_t> idle_timeouts{0};
    std::atomic<int64_t> write_stall_timeouts{0};
  };

  ConcurrentServer(StreamListener listener, ConnectionHandler& handler,
                   const ConcurrentServerOptions& options);
  absl::Status Init();

  // One epoll_wait() and the handling of what it returned. Sets `*stopped`
  // if `Stop()` was called.
  absl::Status WaitAndDispatch(const Deadline& deadline, bool* stopped);
  int WaitTimeoutMs(const Deadline& deadline) const;

  // The listener.
  void AcceptClients();
  void Admit(Connection& slot, StreamSocket client);
  bool RefuseOne();
  void Refuse(StreamSocket client);
  void OnAcceptError(const absl::Status& error);
  void PauseAccepting();
  void MaybeResumeAccepting();

  // A connection.
  void OnConnectionEvent(Connection& c, uint32_t events);
  void ReceiveOnce(Connection& c);
  bool Flush(Connection& c);
  void Advance(Connection& c);
  bool UpdateInterest(Connection& c);
  // Re-arms `c`'s idle or stall deadline after what happened to it.
  void UpdateTimer(Connection& c);
  // Closes the clients whose deadline has passed.
  void ExpireTimers();
  void CloseConnection(Connection& c, const absl::Status& reason);

  static uint64_t TokenOf(const Connection& c);
  Connection* ConnectionOf(uint64_t token);

  StreamListener listener_;
  ConnectionHandler& handler_;
  const int max_connections_;
  const size_t buffer_bytes_;
  const int events_per_wait_;
  const int accepts_per_wakeup_;
  const std::string refusal_message_;
  const absl::Duration idle_timeout_;
  const absl::Duration write_stall_timeout_;
  const int64_t idle_timeout_ns_;
  const int64_t write_stall_timeout_ns_;

  Fd epoll_;
  Fd wakeup_;  // an eventfd (internal/wakeup.h)
  // Kept open so that, out of descriptors, closing it makes room to accept
  // and refuse a client (see README.md).
  Fd spare_fd_;
  bool accepting_ = true;
  // Set when the listener's epoll interest could not be changed: the loop
  // cannot go on accepting correctly, so `Run()` returns it.
  absl::Status listener_error_;
  Deadline resume_accepting_ = Deadline::Infinite();

  std::unique_ptr<char[]> buffer_memory_;
  std::unique_ptr<Connection[]> connections_;
  // Indices of free slots; the top `free_count_` entries are valid.
  std::unique_ptr<uint32_t[]> free_slots_;
  int free_count_ = 0;
  std::unique_ptr<epoll_event[]> events_;
  ConnectionTimers timers_;
  int64_t now_ns_ = 0;  // CLOCK_MONOTONIC, read once per wake-up
  uint64_t next_id_ = 1;

  AtomicStats stats_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_CONCURRENT_SERVER_H_
