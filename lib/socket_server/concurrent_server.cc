#include "ipcbox/socket_server/concurrent_server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/socket/listener.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/connection.h"
#include "ipcbox/socket_server/connection_handler.h"
#include "ipcbox/socket_server/internal/wakeup.h"

namespace ipcbox {
namespace {

// epoll tokens. A connection's token is its slot index in the low 32 bits
// and the slot's generation in the high 32 bits, so these two values, with
// all high bits set, never collide with one (slots are far fewer than 2^32).
constexpr uint64_t kListenerToken = ~uint64_t{0};
constexpr uint64_t kWakeupToken = ~uint64_t{0} - 1;

// Descriptors the server holds besides its connections: the listener, the
// epoll instance, the eventfd, the spare, and one being accepted to refuse.
constexpr int kOwnDescriptors = 5;
constexpr int kMaxConnections = 1 << 20;
constexpr absl::Duration kAcceptPause = absl::Milliseconds(100);

// Single-writer counters: a load and a store are enough (no read-modify-
// write, which on some 32-bit targets needs a lock for 64-bit values).
void Add(std::atomic<int64_t>& counter, int64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n,
                std::memory_order_relaxed);
}

int64_t Get(const std::atomic<int64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

absl::Status CreateError(absl::StatusCode code, absl::string_view what) {
  return absl::Status(code, absl::StrCat("ConcurrentServer::Create: ", what));
}

absl::Status CheckOptions(const StreamListener& listener,
                          const ConcurrentServerOptions& options) {
  if (!listener.valid()) {
    return CreateError(absl::StatusCode::kInvalidArgument,
                       "the listener is not open");
  }
  if (options.max_connections < 1 ||
      options.max_connections > kMaxConnections) {
    return CreateError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("max_connections must be 1 to ", kMaxConnections, ", not ",
                     options.max_connections));
  }
  if (options.buffer_bytes < 1 || options.events_per_wait < 1 ||
      options.accepts_per_wakeup < 1) {
    return CreateError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("buffer_bytes (", options.buffer_bytes,
                     "), events_per_wait (", options.events_per_wait,
                     ") and accepts_per_wakeup (", options.accepts_per_wakeup,
                     ") must be at least 1"));
  }
  if (options.idle_timeout <= absl::ZeroDuration() ||
      options.write_stall_timeout <= absl::ZeroDuration()) {
    return CreateError(absl::StatusCode::kInvalidArgument,
                       "idle_timeout and write_stall_timeout must be positive "
                       "(absl::InfiniteDuration() for none)");
  }
  const size_t largest_buffer = std::numeric_limits<size_t>::max() / 2 /
                                static_cast<size_t>(options.max_connections);
  if (options.buffer_bytes > largest_buffer) {
    return CreateError(absl::StatusCode::kResourceExhausted,
                       "max_connections x 2 x buffer_bytes does not fit in "
                       "this address space");
  }
  return absl::OkStatus();
}

// The table must not run out of descriptors before it is full: that would
// be a refusal the operator did not ask for.
absl::Status CheckDescriptorLimit(int max_connections) {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return ErrnoError(errno, "getrlimit", "RLIMIT_NOFILE");
  }
  const uint64_t needed = uint64_t(max_connections) + kOwnDescriptors + 3;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    return CreateError(
        absl::StatusCode::kResourceExhausted,
        absl::StrCat("max_connections ", max_connections, " needs ", needed,
                     " descriptors, RLIMIT_NOFILE is ", limit.rlim_cur,
                     "; raise it (ulimit -n) or lower max_connections"));
  }
  return absl::OkStatus();
}

// A timeout as nanoseconds for the deadline lists; infinite (or beyond
// what int64 holds) as ConnectionTimers::kNever.
int64_t TimeoutNs(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration() ||
      timeout >= absl::Nanoseconds(ConnectionTimers::kNever / 2)) {
    return ConnectionTimers::kNever;
  }
  return absl::ToInt64Nanoseconds(timeout);
}

int64_t MonotonicNowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t DeadlineNs(int64_t now_ns, int64_t timeout_ns) {
  if (timeout_ns == ConnectionTimers::kNever) {
    return timeout_ns;
  }
  return now_ns + timeout_ns;
}

// One builder for both timers' reasons: each call site would otherwise
// inline a long StrCat, which is most of the timers' code on small targets.
absl::Status TimedOut(const Connection& c, absl::string_view what,
                      absl::Duration after, absl::string_view which) {
  return TimedOutError(
      absl::StrCat("connection ", c.id(), " from ", c.peer().ToString(), ": ",
                   what, absl::FormatDuration(after), which, "; ",
                   c.output_pending(), " bytes of output pending"));
}

Fd OpenSpareDescriptor() {
  return Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConcurrentServer>> ConcurrentServer::Create(
    StreamListener listener, ConnectionHandler& handler,
    const ConcurrentServerOptions& options) {
  if (absl::Status s = CheckOptions(listener, options); !s.ok()) return s;
  if (absl::Status s = CheckDescriptorLimit(options.max_connections); !s.ok()) {
    return s;
  }
  std::unique_ptr<ConcurrentServer> server(
      new ConcurrentServer(std::move(listener), handler, options));
  if (absl::Status s = server->Init(); !s.ok()) return s;
  return server;
}

ConcurrentServer::ConcurrentServer(StreamListener listener,
                                   ConnectionHandler& handler,
                                   const ConcurrentServerOptions& options)
    : listener_(std::move(listener)),
      handler_(handler),
      max_connections_(options.max_connections),
      buffer_bytes_(options.buffer_bytes),
      events_per_wait_(options.events_per_wait),
      accepts_per_wakeup_(options.accepts_per_wakeup),
      refusal_message_(options.refusal_message),
      idle_timeout_(options.idle_timeout),
      write_stall_timeout_(options.write_stall_timeout),
      idle_timeout_ns_(TimeoutNs(options.idle_timeout)),
      write_stall_timeout_ns_(TimeoutNs(options.write_stall_timeout)) {}

ConcurrentServer::~ConcurrentServer() = default;

void ConcurrentServer::Stop() {
  socket_server_internal::SignalWakeup(wakeup_.get());
}

absl::Status ConcurrentServer::Init() {
  if (absl::Status s = listener_.SetNonBlocking(true); !s.ok()) return s;

  const size_t per_connection = 2 * buffer_bytes_;
  const size_t slots = static_cast<size_t>(max_connections_);
  // new (nothrow) char[] leaves the memory untouched: the kernel backs a
  // page only when a connection first writes to it.
  buffer_memory_.reset(new (std::nothrow) char[slots * per_connection]);
  connections_.reset(new (std::nothrow) Connection[slots]);
  free_slots_.reset(new (std::nothrow) uint32_t[slots]);
  events_.reset(new (std::nothrow) epoll_event[events_per_wait_]);
  if (buffer_memory_ == nullptr || connections_ == nullptr ||
      free_slots_ == nullptr || events_ == nullptr || !timers_.Init(slots)) {
    return CreateError(absl::StatusCode::kResourceExhausted,
                       absl::StrCat("cannot allocate ", slots * per_connection,
                                    " bytes of buffers"));
  }
  for (size_t i = 0; i < slots; ++i) {
    Connection& c = connections_[i];
    char* base = buffer_memory_.get() + i * per_connection;
    c.input_ = ByteBuffer(base, buffer_bytes_);
    c.output_ = ByteBuffer(base + buffer_bytes_, buffer_bytes_);
    c.slot_ = i;
    // Hand out low slots first: the stack's top is the last entry.
    free_slots_[i] = static_cast<uint32_t>(slots - 1 - i);
  }
  free_count_ = max_connections_;

  epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) return ErrnoError(errno, "epoll_create1", "");

  absl::StatusOr<Fd> wakeup = socket_server_internal::NewWakeup();
  if (!wakeup.ok()) return wakeup.status();
  wakeup_ = *std::move(wakeup);

  spare_fd_ = OpenSpareDescriptor();
  if (!spare_fd_.valid()) return ErrnoError(errno, "open", "/dev/null");

  const struct {
    int fd;
    uint64_t token;
  } fixed[] = {{listener_.fd().get(), kListenerToken},
               {wakeup_.get(), kWakeupToken}};
  for (const auto& entry : fixed) {
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.u64 = entry.token;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, entry.fd, &event) != 0) {
      return ErrnoError(errno, "epoll_ctl(EPOLL_CTL_ADD)", entry.fd);
    }
  }
  return absl::OkStatus();
}

absl::Status ConcurrentServer::Run() { return RunUntil(Deadline::Infinite()); }

absl::Status ConcurrentServer::RunFor(absl::Duration timeout) {
  return RunUntil(Deadline::After(timeout));
}

absl::Status ConcurrentServer::RunUntil(Deadline deadline) {
  for (;;) {
    bool stopped = false;
    if (absl::Status s = WaitAndDispatch(deadline, &stopped); !s.ok()) {
      return s;
    }
    if (stopped) return absl::OkStatus();
    if (deadline.expired()) return TimedOutError();
  }
}

int ConcurrentServer::WaitTimeoutMs(const Deadline& deadline) const {
  // -1 (no limit) or the smallest of the limits that apply.
  int timeout = deadline.PollTimeoutMs();
  const auto consider = [&timeout](int ms) {
    if (ms >= 0 && (timeout < 0 || ms < timeout)) timeout = ms;
  };
  if (!accepting_) consider(resume_accepting_.PollTimeoutMs());
  const int64_t next_ns = timers_.NextDeadlineNs();
  if (next_ns != ConnectionTimers::kNever) {
    const int64_t left_ns = next_ns - MonotonicNowNs();
    // Rounded up: waking a little late beats waking early and spinning.
    const int64_t ms = left_ns <= 0 ? 0 : (left_ns + 999999) / 1000000;
    consider(static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
  }
  return timeout;
}

absl::Status ConcurrentServer::WaitAndDispatch(const Deadline& deadline,
                                               bool* stopped) {
  const int n = ::epoll_wait(epoll_.get(), events_.get(), events_per_wait_,
                             WaitTimeoutMs(deadline));
  if (n < 0) {
    if (errno == EINTR) return absl::OkStatus();  // the caller loops
    return ErrnoError(errno, "epoll_wait", epoll_.get());
  }
  now_ns_ = MonotonicNowNs();
  for (int i = 0; i < n; ++i) {
    const uint64_t token = events_[i].data.u64;
    if (token == kWakeupToken) {
      socket_server_internal::DrainWakeup(wakeup_.get());
      *stopped = true;
    } else if (token == kListenerToken) {
      if (accepting_) AcceptClients();
    } else if (Connection* c = ConnectionOf(token); c != nullptr) {
      OnConnectionEvent(*c, events_[i].events);
    }
    // Otherwise the event was queued for a client closed earlier in this
    // batch: its slot is free, or serves another client now.
  }
  ExpireTimers();
  MaybeResumeAccepting();
  return listener_error_;
}

uint64_t ConcurrentServer::TokenOf(const Connection& c) {
  return (uint64_t{c.generation_} << 32) | uint64_t{c.slot_};
}

Connection* ConcurrentServer::ConnectionOf(uint64_t token) {
  const uint64_t slot = token & 0xffffffffu;
  if (slot >= static_cast<uint64_t>(max_connections_)) return nullptr;
  Connection& c = connections_[slot];
  if (!c.open_ || TokenOf(c) != token) return nullptr;
  return &c;
}

// ---- The listener -----------------------------------------------------------

void ConcurrentServer::AcceptClients() {
  for (int i = 0; i < accepts_per_wakeup_; ++i) {
    if (free_count_ == 0) {
      if (!RefuseOne()) return;
      continue;
    }
    Connection& slot = connections_[free_slots_[free_count_ - 1]];
    AcceptOptions options;
    options.nonblocking = true;
    options.peer = &slot.peer_;
    absl::StatusOr<StreamSocket> client = listener_.Accept(options);
    if (IsWouldBlock(client.status())) return;
    if (!client.ok()) {
      OnAcceptError(client.status());
      return;
    }
    --free_count_;
    Admit(slot, *std::move(client));
  }
}

void ConcurrentServer::Admit(Connection& c, StreamSocket client) {
  c.socket_ = std::move(client);
  c.id_ = next_id_++;
  c.open_ = true;
  c.reading_ = true;
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.u64 = TokenOf(c);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.socket_.fd().get(), &event) !=
      0) {
    // Out of kernel memory or of epoll watches (max_user_watches): the
    // client cannot be served, so it is refused like one over capacity.
    Add(stats_.accept_errors, 1);
    Refuse(std::move(c.socket_));
    c.Reset();
    free_slots_[free_count_++] = static_cast<uint32_t>(c.slot_);
    return;
  }
  Add(stats_.accepted, 1);
  Add(stats_.active, 1);
  if (Get(stats_.active) > Get(stats_.peak_active)) {
    stats_.peak_active.store(Get(stats_.active), std::memory_order_relaxed);
  }
  timers_.Arm(c.slot_, ConnectionTimers::kIdle,
              DeadlineNs(now_ns_, idle_timeout_ns_));
  handler_.OnOpen(c);
  Advance(c);
}

bool ConcurrentServer::RefuseOne() {
  AcceptOptions options;
  options.nonblocking = true;
  absl::StatusOr<StreamSocket> client = listener_.Accept(options);
  if (IsWouldBlock(client.status())) return false;
  if (!client.ok()) {
    OnAcceptError(client.status());
    return false;
  }
  Refuse(*std::move(client));
  return true;
}

void ConcurrentServer::Refuse(StreamSocket client) {
  Add(stats_.refused, 1);
  if (!refusal_message_.empty()) (void)client.Send(refusal_message_);
  // Closing a socket with unread data makes the kernel reset the
  // connection, and a reset can discard the refusal message before the
  // client reads it. Read what the client sent so far first.
  char discard[512];
  (void)client.Receive(absl::MakeSpan(discard));
  (void)client.Close();
}

void ConcurrentServer::OnAcceptError(const absl::Status& error) {
  Add(stats_.accept_errors, 1);
  if (error.code() == absl::StatusCode::kResourceExhausted &&
      spare_fd_.valid()) {
    // Out of descriptors: free the spare, take the client and refuse it,
    // so that the listener is no longer readable, then keep the spare again.
    spare_fd_.reset();
    const bool refused = RefuseOne();
    spare_fd_ = OpenSpareDescriptor();
    if (refused) return;
  }
  // The listener stays readable while the cause lasts: without a pause the
  // loop would spin on it.
  PauseAccepting();
}

void ConcurrentServer::PauseAccepting() {
  if (!accepting_) return;
  epoll_event event = {};
  event.events = 0;
  event.data.u64 = kListenerToken;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener_.fd().get(), &event) !=
      0) {
    // Still registered for EPOLLIN: pausing would spin on it.
    listener_error_ = ErrnoError(
        errno,
        "ConcurrentServer: epoll_ctl(EPOLL_CTL_MOD) pausing the listener",
        listener_.fd().get());
    return;
  }
  accepting_ = false;
  resume_accepting_ = Deadline::After(kAcceptPause);
}

void ConcurrentServer::MaybeResumeAccepting() {
  if (accepting_ || !resume_accepting_.expired()) return;
  if (!spare_fd_.valid()) spare_fd_ = OpenSpareDescriptor();
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.u64 = kListenerToken;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listener_.fd().get(), &event) !=
      0) {
    // Not accepting any more, for good: say so instead of serving the
    // clients in the table and silently nobody else.
    listener_error_ = ErrnoError(
        errno,
        "ConcurrentServer: epoll_ctl(EPOLL_CTL_MOD) resuming the listener",
        listener_.fd().get());
    return;
  }
  accepting_ = true;
}

// ---- A connection -----------------------------------------------------------

void ConcurrentServer::OnConnectionEvent(Connection& c, uint32_t events) {
  // EPOLLERR and EPOLLHUP are reported whatever the interest: a read or a
  // send then returns the error (or end-of-stream) and closes the client.
  const bool trouble = (events & (EPOLLERR | EPOLLHUP)) != 0;
  if (c.reading_ && ((events & EPOLLIN) != 0 || trouble)) {
    ReceiveOnce(c);
    if (!c.open_) return;
  }
  if ((events & EPOLLOUT) != 0 || trouble) {
    if (!Flush(c)) return;
  }
  Advance(c);
  if (c.open_ && trouble && !c.reading_ && c.output_.empty()) {
    // Nothing left to find the error with (cannot happen with the interest
    // rules in UpdateInterest, but never spin on a dead descriptor).
    CloseConnection(
        c, absl::AbortedError(absl::StrCat("connection ", c.id_, " hung up")));
  }
}

void ConcurrentServer::ReceiveOnce(Connection& c) {
  absl::Span<char> space = c.input_.Writable();
  if (space.empty()) return;
  absl::StatusOr<size_t> n = c.socket_.Receive(space);
  if (n.ok()) {
    c.input_.Commit(*n);
    c.input_changed_ = true;
    c.received_some_ = true;
    Add(stats_.bytes_received, static_cast<int64_t>(*n));
  } else if (IsEndOfStream(n.status())) {
    c.peer_closed_ = true;
    c.input_changed_ = true;
  } else if (!IsWouldBlock(n.status())) {
    CloseConnection(c, n.status());
  }
}

bool ConcurrentServer::Flush(Connection& c) {
  bool sent_some = false;
  while (!c.output_.empty()) {
    absl::Span<const char> pending = c.output_.Readable();
    absl::StatusOr<size_t> n =
        c.socket_.Send(absl::string_view(pending.data(), pending.size()));
    if (IsWouldBlock(n.status())) break;
    if (!n.ok()) {
      CloseConnection(c, n.status());
      return false;
    }
    c.output_.Consume(*n);
    Add(stats_.bytes_sent, static_cast<int64_t>(*n));
    sent_some = true;
    c.sent_some_ = true;
    if (*n < pending.size()) break;  // the socket's buffer is full
  }
  // Room for more answers: queued input the handler could not answer
  // before deserves another call.
  if (sent_some && !c.input_.empty()) c.input_changed_ = true;
  return true;
}

void ConcurrentServer::Advance(Connection& c) {
  bool stuck = false;  // the handler consumed nothing of a full view
  while (c.input_changed_ && !c.close_requested_ && !c.input_.empty()) {
    c.input_changed_ = false;
    absl::Span<const char> data = c.input_.Readable();
    const size_t consumed = std::min(handler_.OnData(c, data), data.size());
    c.input_.Consume(consumed);
    stuck = consumed == 0;
    if (!Flush(c)) return;
    // Flush() marks the input changed again if it made room while input is
    // left: the handler gets another go at it at once.
  }
  c.input_changed_ = false;
  if (!Flush(c)) return;

  if (c.output_.empty()) {
    if (c.close_requested_ || c.peer_closed_) {
      CloseConnection(c, absl::OkStatus());
      return;
    }
    if (stuck && c.input_.full()) {
      CloseConnection(
          c, absl::ResourceExhaustedError(absl::StrCat(
                 "connection ", c.id_, " from ", c.peer_.ToString(),
                 ": the handler consumed nothing of a full ", buffer_bytes_,
                 "-byte input buffer (a request larger than the buffer?)")));
      return;
    }
  }
  if (UpdateInterest(c)) UpdateTimer(c);
}

void ConcurrentServer::UpdateTimer(Connection& c) {
  const ConnectionTimers::List now_on = timers_.list_of(c.slot_);
  if (c.output_.empty()) {
    // Waiting for the client: idle unless it sends (or just got answers).
    if (now_on != ConnectionTimers::kIdle || c.received_some_ || c.sent_some_) {
      timers_.Arm(c.slot_, ConnectionTimers::kIdle,
                  DeadlineNs(now_ns_, idle_timeout_ns_));
    }
  } else if (now_on != ConnectionTimers::kStall || c.sent_some_) {
    // Waiting for the client to read: stalled unless output moves.
    timers_.Arm(c.slot_, ConnectionTimers::kStall,
                DeadlineNs(now_ns_, write_stall_timeout_ns_));
  }
  c.received_some_ = false;
  c.sent_some_ = false;
}

void ConcurrentServer::ExpireTimers() {
  if (timers_.NextDeadlineNs() > now_ns_) return;
  // Closing takes the entry off its list, so each loop ends.
  while (timers_.FrontExpired(ConnectionTimers::kIdle, now_ns_)) {
    Connection& c = connections_[timers_.Front(ConnectionTimers::kIdle)];
    Add(stats_.idle_timeouts, 1);
    CloseConnection(c,
                    TimedOut(c, "idle for ", idle_timeout_, " (idle_timeout)"));
  }
  while (timers_.FrontExpired(ConnectionTimers::kStall, now_ns_)) {
    Connection& c = connections_[timers_.Front(ConnectionTimers::kStall)];
    Add(stats_.write_stall_timeouts, 1);
    CloseConnection(
        c, TimedOut(c, "output made no progress for ", write_stall_timeout_,
                    " (write_stall_timeout; the client does not "
                    "read)"));
  }
}

bool ConcurrentServer::UpdateInterest(Connection& c) {
  const bool read = !c.peer_closed_ && !c.close_requested_ && !c.input_.full();
  const bool write = !c.output_.empty();
  if (read == c.reading_ && write == c.writing_) return true;
  if (!read && c.reading_ && c.input_.full()) Add(stats_.read_pauses, 1);
  epoll_event event = {};
  event.events =
      (read ? uint32_t{EPOLLIN} : 0u) | (write ? uint32_t{EPOLLOUT} : 0u);
  event.data.u64 = TokenOf(c);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.socket_.fd().get(), &event) !=
      0) {
    CloseConnection(
        c, ErrnoError(errno, "epoll_ctl(EPOLL_CTL_MOD)", c.socket_.fd().get()));
    return false;
  }
  c.reading_ = read;
  c.writing_ = write;
  return true;
}

void ConcurrentServer::CloseConnection(Connection& c,
                                       const absl::Status& reason) {
  handler_.OnClose(c, reason);
  // Deregister explicitly: close() alone removes the descriptor from the
  // epoll set only when no other descriptor (a forked child's copy, a dup)
  // refers to the same socket, and until then a level-triggered event
  // would be reported again and again.
  (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.socket_.fd().get(), nullptr);
  (void)c.socket_.Close();
  timers_.Disarm(c.slot_);
  c.Reset();
  free_slots_[free_count_++] = static_cast<uint32_t>(c.slot_);
  Add(stats_.closed, 1);
  if (!reason.ok()) Add(stats_.failed, 1);
  Add(stats_.active, -1);
}

void ConcurrentServer::CloseAllConnections() {
  for (int i = 0; i < max_connections_; ++i) {
    Connection& c = connections_[i];
    if (c.open_) {
      CloseConnection(c, absl::Status(absl::StatusCode::kCancelled, ""));
    }
  }
}

ConcurrentServerStats ConcurrentServer::stats() const {
  ConcurrentServerStats s;
  s.accepted = Get(stats_.accepted);
  s.refused = Get(stats_.refused);
  s.closed = Get(stats_.closed);
  s.failed = Get(stats_.failed);
  s.active = Get(stats_.active);
  s.peak_active = Get(stats_.peak_active);
  s.bytes_received = Get(stats_.bytes_received);
  s.bytes_sent = Get(stats_.bytes_sent);
  s.read_pauses = Get(stats_.read_pauses);
  s.accept_errors = Get(stats_.accept_errors);
  s.idle_timeouts = Get(stats_.idle_timeouts);
  s.write_stall_timeouts = Get(stats_.write_stall_timeouts);
  return s;
}

}  // namespace ipcbox
