// Socket benchmarks: lib/socket against raw send/recv on the same sockets,
// in the same run.
//
//   ./bazelw run -c opt //tools/bench:socket_bench
//   ./bazelw run -c opt //tools/bench:socket_bench -- --filter=TCP
//   --layouts=same
//
// Cases:
//   - ping-pong: 64 B to the peer and back, over a Unix stream, seqpacket
//     and datagram socket pair and a TCP loopback connection (TCP_NODELAY);
//     once more on the Unix stream with 1 s deadlines on every call (the
//     MSG_DONTWAIT-then-poll path that timed and non-blocking users take);
//   - throughput: the parent sends N messages (64 KiB on streams, 4 KiB
//     datagrams), the peer receives them all.
// Sockets are made before the timed part (with ipcbox, for both variants:
// the comparison is of the data path). Raw code sends with MSG_NOSIGNAL
// too, so both variants have the same semantics; ipcbox adds its status
// handling and loops, and, on timed calls, the same poll() raw code needs.

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/seqpacket_socket.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "tools/bench/harness.h"
#include "tools/bench/raw_io.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kPingSize = 64;
constexpr size_t kReceiveBuffer = 64 << 10;

// ---------------------------------------------------------------- raw side

// A stream receive fills `size` bytes; a message receive takes one message.
absl::Status RawReceive(int fd, char* data, size_t size, bool stream) {
  if (stream) return RawReceiveFull(fd, data, size);
  while (::recv(fd, data, size, 0) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "recv");
  }
  return absl::OkStatus();
}

// What a raw timed call does: try without waiting, poll() with the time
// left if the socket was not ready, try again.
int RawWaitFor(int fd, short events, const Deadline& deadline) {
  struct pollfd pfd = {fd, events, 0};
  return ::poll(&pfd, 1, deadline.PollTimeoutMs());
}

absl::Status RawTimedSendAll(int fd, const char* data, size_t size,
                             const Deadline& deadline) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN) {
      if (RawWaitFor(fd, POLLOUT, deadline) <= 0) {
        return absl::DeadlineExceededError("send");
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "send");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status RawTimedReceiveFull(int fd, char* data, size_t size,
                                 const Deadline& deadline) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN) {
      if (RawWaitFor(fd, POLLIN, deadline) <= 0) {
        return absl::DeadlineExceededError("recv");
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "recv");
    if (n == 0) return absl::UnavailableError("end of stream");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------- ipcbox side

absl::Status LibSend(StreamSocket& s, absl::string_view data) {
  return s.SendAll(data);
}
absl::Status LibSend(SeqPacketSocket& s, absl::string_view data) {
  return s.Send(data);
}
absl::Status LibSend(DatagramSocket& s, absl::string_view data) {
  return s.Send(data);
}

absl::Status LibReceive(StreamSocket& s, absl::Span<char> buf) {
  return s.ReceiveFull(buf);
}
absl::Status LibReceive(SeqPacketSocket& s, absl::Span<char> buf) {
  return s.Receive(buf).status();
}
absl::Status LibReceive(DatagramSocket& s, absl::Span<char> buf) {
  return s.Receive(buf).status();
}

// ------------------------------------------------------------- connections

template <typename T>
struct Ends {
  T parent;
  T peer;
};

absl::StatusOr<Ends<StreamSocket>> OpenUnixStream() {
  absl::StatusOr<SocketPair<StreamSocket>> p = CreateStreamSocketPair();
  if (!p.ok()) return p.status();
  return Ends<StreamSocket>{std::move(p->first), std::move(p->second)};
}

absl::StatusOr<Ends<SeqPacketSocket>> OpenUnixSeqPacket() {
  absl::StatusOr<SocketPair<SeqPacketSocket>> p = CreateSeqPacketSocketPair();
  if (!p.ok()) return p.status();
  return Ends<SeqPacketSocket>{std::move(p->first), std::move(p->second)};
}

absl::StatusOr<Ends<DatagramSocket>> OpenUnixDatagram() {
  absl::StatusOr<SocketPair<DatagramSocket>> p = CreateDatagramSocketPair();
  if (!p.ok()) return p.status();
  return Ends<DatagramSocket>{std::move(p->first), std::move(p->second)};
}

absl::StatusOr<Ends<StreamSocket>> OpenTcp() {
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(SocketAddress::Ipv4Loopback(0));
  if (!listener.ok()) return listener.status();
  absl::StatusOr<SocketAddress> address = listener->LocalAddress();
  if (!address.ok()) return address.status();
  ConnectOptions options;
  options.no_delay = true;
  absl::StatusOr<StreamSocket> client =
      StreamSocket::ConnectFor(*address, absl::Seconds(5), options);
  if (!client.ok()) return client.status();
  absl::StatusOr<StreamSocket> server = listener->AcceptFor(absl::Seconds(5));
  if (!server.ok()) return server.status();
  if (absl::Status s = server->SetNoDelay(true); !s.ok()) return s;
  return Ends<StreamSocket>{*std::move(client), *std::move(server)};
}

// One connection per repetition and variant, opened before the fork.
template <typename T>
struct Connection {
  absl::StatusOr<Ends<T>> (*open)();
  Ends<T> ends;

  absl::Status Open() {
    absl::StatusOr<Ends<T>> opened = open();
    if (!opened.ok()) return opened.status();
    ends = *std::move(opened);
    return absl::OkStatus();
  }
  void Close() { ends = Ends<T>(); }
};

template <typename T>
constexpr bool kIsStream = T::kType == SOCK_STREAM;

// -------------------------------------------------------------- the cases

// 64 B to the peer and back.
template <typename T>
struct PingPong {
  explicit PingPong(absl::StatusOr<Ends<T>> (*open)(), bool timed = false)
      : raw{open, {}}, lib{open, {}}, timed(timed) {}

  Connection<T> raw;
  Connection<T> lib;
  bool timed;

  static Deadline Soon() { return Deadline::After(absl::Seconds(1)); }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(); };
    v.peer = [this](int64_t ops) {
      const int fd = raw.ends.peer.fd().get();
      char buf[kPingSize];
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = timed ? RawTimedReceiveFull(fd, buf, kPingSize, Soon())
                               : RawReceive(fd, buf, kPingSize, kIsStream<T>);
        if (s.ok()) {
          s = timed ? RawTimedSendAll(fd, buf, kPingSize, Soon())
                    : RawSendAll(fd, buf, kPingSize);
        }
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.run = [this](int64_t ops) {
      const int fd = raw.ends.parent.fd().get();
      char buf[kPingSize] = {};
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = timed ? RawTimedSendAll(fd, buf, kPingSize, Soon())
                               : RawSendAll(fd, buf, kPingSize);
        if (s.ok()) {
          s = timed ? RawTimedReceiveFull(fd, buf, kPingSize, Soon())
                    : RawReceive(fd, buf, kPingSize, kIsStream<T>);
        }
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  absl::Status LibExchange(T& socket, absl::Span<char> buf, bool send_first) {
    const absl::string_view data(buf.data(), buf.size());
    if constexpr (kIsStream<T>) {
      if (timed) {
        absl::Status s = send_first ? socket.SendAll(data, Soon())
                                    : socket.ReceiveFull(buf, Soon());
        if (!s.ok()) return s;
        return send_first ? socket.ReceiveFull(buf, Soon())
                          : socket.SendAll(data, Soon());
      }
    }
    absl::Status s =
        send_first ? LibSend(socket, data) : LibReceive(socket, buf);
    if (!s.ok()) return s;
    return send_first ? LibReceive(socket, buf) : LibSend(socket, data);
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return lib.Open(); };
    v.peer = [this](int64_t ops) {
      char buf[kPingSize];
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = LibExchange(lib.ends.peer, absl::MakeSpan(buf), false);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.run = [this](int64_t ops) {
      char buf[kPingSize] = {};
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s =
            LibExchange(lib.ends.parent, absl::MakeSpan(buf), true);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { lib.Close(); };
    return v;
  }
};

// The parent sends `ops` messages of `size` bytes; the peer receives them.
template <typename T>
struct Throughput {
  Throughput(absl::StatusOr<Ends<T>> (*open)(), size_t size)
      : raw{open, {}}, lib{open, {}}, size(size) {}

  Connection<T> raw;
  Connection<T> lib;
  size_t size;

  // Streams: read whatever comes, up to the total; messages: one by one.
  absl::Status RawDrain(int fd, int64_t ops) {
    std::vector<char> buf(kReceiveBuffer);
    if constexpr (kIsStream<T>) {
      uint64_t left = static_cast<uint64_t>(ops) * size;
      while (left > 0) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return absl::ErrnoToStatus(errno, "recv");
        left -= static_cast<uint64_t>(n);
      }
    } else {
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = RawReceive(fd, buf.data(), buf.size(), false);
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status LibDrain(T& socket, int64_t ops) {
    std::vector<char> buf(kReceiveBuffer);
    if constexpr (kIsStream<T>) {
      uint64_t left = static_cast<uint64_t>(ops) * size;
      while (left > 0) {
        absl::StatusOr<size_t> n = socket.Receive(absl::MakeSpan(buf));
        if (!n.ok()) return n.status();
        left -= *n;
      }
    } else {
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = LibReceive(socket, absl::MakeSpan(buf));
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(); };
    v.peer = [this](int64_t ops) {
      return RawDrain(raw.ends.peer.fd().get(), ops);
    };
    v.run = [this](int64_t ops) {
      const std::string data(size, 'r');
      const int fd = raw.ends.parent.fd().get();
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = RawSendAll(fd, data.data(), data.size());
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return lib.Open(); };
    v.peer = [this](int64_t ops) { return LibDrain(lib.ends.peer, ops); };
    v.run = [this](int64_t ops) {
      const std::string data(size, 'i');
      for (int64_t i = 0; i < ops; ++i) {
        absl::Status s = LibSend(lib.ends.parent, data);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { lib.Close(); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using namespace ipcbox::bench;  // NOLINT: a benchmark's main
  using ipcbox::DatagramSocket;
  using ipcbox::SeqPacketSocket;
  using ipcbox::StreamSocket;
  PingPong<StreamSocket> unix_stream(&OpenUnixStream);
  PingPong<StreamSocket> unix_stream_timed(&OpenUnixStream, /*timed=*/true);
  PingPong<SeqPacketSocket> unix_seqpacket(&OpenUnixSeqPacket);
  PingPong<DatagramSocket> unix_datagram(&OpenUnixDatagram);
  PingPong<StreamSocket> tcp(&OpenTcp);
  Throughput<StreamSocket> unix_stream_bulk(&OpenUnixStream, 64 << 10);
  Throughput<DatagramSocket> unix_datagram_bulk(&OpenUnixDatagram, 4096);
  Throughput<StreamSocket> tcp_bulk(&OpenTcp, 64 << 10);

  Suite suite("Sockets: ipcbox (lib/socket) vs raw send/recv");
  suite.Add({"Unix stream ping-pong 64 B", 5000, 64}, unix_stream.Raw(),
            unix_stream.Ipcbox());
  suite.Add({"Unix stream ping-pong 64 B, 1 s deadlines", 5000, 64},
            unix_stream_timed.Raw(), unix_stream_timed.Ipcbox());
  suite.Add({"Unix seqpacket ping-pong 64 B", 5000, 64}, unix_seqpacket.Raw(),
            unix_seqpacket.Ipcbox());
  suite.Add({"Unix datagram ping-pong 64 B", 5000, 64}, unix_datagram.Raw(),
            unix_datagram.Ipcbox());
  suite.Add({"TCP loopback ping-pong 64 B (TCP_NODELAY)", 5000, 64}, tcp.Raw(),
            tcp.Ipcbox());
  suite.Add({"Unix stream throughput 64 KiB sends", 2000, 64 << 10},
            unix_stream_bulk.Raw(), unix_stream_bulk.Ipcbox());
  suite.Add({"Unix datagram throughput 4 KiB datagrams", 20000, 4096},
            unix_datagram_bulk.Raw(), unix_datagram_bulk.Ipcbox());
  suite.Add({"TCP loopback throughput 64 KiB sends", 2000, 64 << 10},
            tcp_bulk.Raw(), tcp_bulk.Ipcbox());
  return suite.Main(argc, argv);
}
