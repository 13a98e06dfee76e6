#include "tools/ipcbox/bench.h"

#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_socket.h"
#include "tools/bench/harness.h"
#include "tools/bench/stats.h"

namespace ipcbox::tool {
namespace {

using bench::Variant;

constexpr size_t kMessage = 64;

// Raw full write/read over a byte stream, retrying EINTR and short counts,
// as user code without ipcbox would do it.
absl::Status RawWrite(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError(errno, "write", fd);
    data += n;
    size -= n;
  }
  return absl::OkStatus();
}

absl::Status RawRead(int fd, char* data, size_t size) {
  while (size > 0) {
    ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return absl::DataLossError("end of stream");
    if (n < 0) return ErrnoError(errno, "read", fd);
    data += n;
    size -= n;
  }
  return absl::OkStatus();
}

// `ops` exchanges of one message: `first()` then `second()` each time (the
// side that runs sends first and receives second; its peer the reverse).
template <typename First, typename Second>
absl::Status Repeat(int64_t ops, First first, Second second) {
  for (int64_t i = 0; i < ops; ++i) {
    if (absl::Status s = first(); !s.ok()) return s;
    if (absl::Status s = second(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Two descriptors each way: a pipe pair or a socket pair.
struct Stream {
  int to_peer[2] = {-1, -1};    // [0] read by the peer
  int to_parent[2] = {-1, -1};  // [0] read by the parent
  char buf[kMessage] = {};

  void CloseAll() {
    for (int* p : {to_peer, to_parent}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  }
  Variant Raw(bool socket) {
    Variant v;
    v.name = "raw";
    v.setup = [this, socket] {
      if (socket) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_peer) != 0) {
          return ErrnoError(errno, "socketpair", "");
        }
        // One socket pair is both directions.
        to_parent[0] = to_peer[1];
        to_parent[1] = to_peer[0];
        to_peer[0] = -1;
        to_peer[1] = -1;
        return absl::OkStatus();
      }
      if (pipe2(to_peer, O_CLOEXEC) != 0 || pipe2(to_parent, O_CLOEXEC) != 0) {
        return ErrnoError(errno, "pipe2", "");
      }
      return absl::OkStatus();
    };
    v.peer = [this, socket](int64_t ops) {
      int in = socket ? to_parent[1] : to_peer[0];
      int out = to_parent[1];
      return Repeat(
          ops, [&] { return RawRead(in, buf, kMessage); },
          [&] { return RawWrite(out, buf, kMessage); });
    };
    v.run = [this, socket](int64_t ops) {
      int out = socket ? to_parent[0] : to_peer[1];
      int in = to_parent[0];
      return Repeat(
          ops, [&] { return RawWrite(out, buf, kMessage); },
          [&] { return RawRead(in, buf, kMessage); });
    };
    v.teardown = [this] { CloseAll(); };
    return v;
  }
};

struct PipeLib {
  std::optional<Pipe> to_peer, to_parent;
  char buf[kMessage] = {};
  absl::string_view Message() const { return absl::string_view(buf, kMessage); }
  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this]() -> absl::Status {
      absl::StatusOr<Pipe> a = CreatePipe();
      if (!a.ok()) return a.status();
      absl::StatusOr<Pipe> b = CreatePipe();
      if (!b.ok()) return b.status();
      to_peer.emplace(std::move(*a));
      to_parent.emplace(std::move(*b));
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      return Repeat(
          ops, [&] { return to_peer->reader.ReadFull(absl::MakeSpan(buf)); },
          [&] { return to_parent->writer.WriteAll(Message()); });
    };
    v.run = [this](int64_t ops) {
      return Repeat(
          ops, [&] { return to_peer->writer.WriteAll(Message()); },
          [&] { return to_parent->reader.ReadFull(absl::MakeSpan(buf)); });
    };
    v.teardown = [this] {
      to_peer.reset();
      to_parent.reset();
    };
    return v;
  }
};

struct SocketLib {
  std::optional<SocketPair<StreamSocket>> pair;
  char buf[kMessage] = {};
  absl::string_view Message() const { return absl::string_view(buf, kMessage); }
  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this]() -> absl::Status {
      absl::StatusOr<SocketPair<StreamSocket>> p = CreateStreamSocketPair();
      if (!p.ok()) return p.status();
      pair.emplace(std::move(*p));
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      return Repeat(
          ops, [&] { return pair->second.ReceiveFull(absl::MakeSpan(buf)); },
          [&] { return pair->second.SendAll(Message()); });
    };
    v.run = [this](int64_t ops) {
      return Repeat(
          ops, [&] { return pair->first.SendAll(Message()); },
          [&] { return pair->first.ReceiveFull(absl::MakeSpan(buf)); });
    };
    v.teardown = [this] { pair.reset(); };
    return v;
  }
};

// Two private POSIX queues, one each way.
struct Queues {
  std::optional<posix::MessageQueue> to_peer, to_parent;
  char buf[kMessage] = {};

  absl::Status Setup() {
    QueueCapacity capacity{1, kMessage};
    absl::StatusOr<posix::MessageQueue> a =
        posix::MessageQueue::CreatePrivate(capacity);
    if (!a.ok()) return a.status();
    absl::StatusOr<posix::MessageQueue> b =
        posix::MessageQueue::CreatePrivate(capacity);
    if (!b.ok()) return b.status();
    to_peer.emplace(std::move(*a));
    to_parent.emplace(std::move(*b));
    return absl::OkStatus();
  }
  void Teardown() {
    to_peer.reset();
    to_parent.reset();
  }
  static absl::Status RawSend(mqd_t q, const char* buf) {
    while (mq_send(q, buf, kMessage, 0) != 0) {
      if (errno != EINTR) return ErrnoError(errno, "mq_send", q);
    }
    return absl::OkStatus();
  }
  static absl::Status RawReceive(mqd_t q, char* buf) {
    while (mq_receive(q, buf, kMessage, nullptr) < 0) {
      if (errno != EINTR) return ErrnoError(errno, "mq_receive", q);
    }
    return absl::OkStatus();
  }
  Variant Make(bool raw) {
    Variant v;
    v.name = raw ? "raw" : "ipcbox";
    v.setup = [this] { return Setup(); };
    v.peer = [this, raw](int64_t ops) {
      if (raw) {
        return Repeat(
            ops, [&] { return RawReceive(to_peer->fd(), buf); },
            [&] { return RawSend(to_parent->fd(), buf); });
      }
      size_t received = 0;
      return Repeat(
          ops,
          [&] {
            absl::StatusOr<ReceivedMessage> m =
                to_peer->Receive(absl::MakeSpan(buf));
            if (m.ok()) received = m->size;
            return m.status();
          },
          [&] { return to_parent->Send(absl::string_view(buf, received), 0); });
    };
    v.run = [this, raw](int64_t ops) {
      if (raw) {
        return Repeat(
            ops, [&] { return RawSend(to_peer->fd(), buf); },
            [&] { return RawReceive(to_parent->fd(), buf); });
      }
      return Repeat(
          ops,
          [&] { return to_peer->Send(absl::string_view(buf, kMessage), 0); },
          [&] { return to_parent->Receive(absl::MakeSpan(buf)).status(); });
    };
    v.teardown = [this] { Teardown(); };
    return v;
  }
};

// Two process-shared unnamed semaphores in an anonymous shared mapping:
// post one, wait for the other.
struct Semaphores {
  void* region = MAP_FAILED;
  sem_t* raw[2] = {nullptr, nullptr};
  posix::UnnamedSemaphore* lib[2] = {nullptr, nullptr};
  static constexpr size_t kSlot = 64;

  absl::Status Setup(bool use_raw) {
    region = mmap(nullptr, 2 * kSlot, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return ErrnoError(errno, "mmap", "");
    for (int i = 0; i < 2; ++i) {
      char* slot = static_cast<char*>(region) + i * kSlot;
      if (use_raw) {
        raw[i] = reinterpret_cast<sem_t*>(slot);
        if (sem_init(raw[i], 1, 0) != 0)
          return ErrnoError(errno, "sem_init", "");
      } else {
        absl::StatusOr<posix::UnnamedSemaphore*> s =
            posix::UnnamedSemaphore::CreateIn(slot, kSlot, 0);
        if (!s.ok()) return s.status();
        lib[i] = *s;
      }
    }
    return absl::OkStatus();
  }
  void Teardown() {
    if (region != MAP_FAILED) munmap(region, 2 * kSlot);
    region = MAP_FAILED;
  }
  static absl::Status RawWait(sem_t* s) {
    while (sem_wait(s) != 0) {
      if (errno != EINTR) return ErrnoError(errno, "sem_wait", "");
    }
    return absl::OkStatus();
  }
  static absl::Status RawPost(sem_t* s) {
    if (sem_post(s) != 0) return ErrnoError(errno, "sem_post", "");
    return absl::OkStatus();
  }
  Variant Make(bool use_raw) {
    Variant v;
    v.name = use_raw ? "raw" : "ipcbox";
    v.setup = [this, use_raw] { return Setup(use_raw); };
    v.peer = [this, use_raw](int64_t ops) {
      return Repeat(
          ops, [&] { return use_raw ? RawWait(raw[0]) : lib[0]->Wait(); },
          [&] { return use_raw ? RawPost(raw[1]) : lib[1]->Post(); });
    };
    v.run = [this, use_raw](int64_t ops) {
      return Repeat(
          ops, [&] { return use_raw ? RawPost(raw[0]) : lib[0]->Post(); },
          [&] { return use_raw ? RawWait(raw[1]) : lib[1]->Wait(); });
    };
    v.teardown = [this] { Teardown(); };
    return v;
  }
};

BenchRow Row(const std::string& mechanism, const bench::CaseResult& result) {
  BenchRow row;
  row.mechanism = mechanism;
  for (const bench::LayoutResult& l : result.layouts) {
    if (!l.skipped.empty()) {
      row.error = l.skipped;
      continue;
    }
    if (!l.error.ok()) {
      row.error = l.error.ToString();
      return row;
    }
    if (l.raw_ns_per_op.empty() || l.ipcbox_ns_per_op.empty()) {
      row.error = "no samples";
      return row;
    }
    row.error.clear();
    row.raw_ns = bench::Median(l.raw_ns_per_op);
    row.ipcbox_ns = bench::Median(l.ipcbox_ns_per_op);
    row.ratio =
        bench::Median(bench::Ratios(l.ipcbox_ns_per_op, l.raw_ns_per_op));
    return row;
  }
  if (row.error.empty()) row.error = "not run";
  return row;
}

}  // namespace

std::vector<BenchRow> RunBench(bool quick) {
  bench::Options options;
  options.repetitions = quick ? 3 : 7;
  options.ops_scale = quick ? 0.02 : 0.2;
  options.layouts = {bench::Layout::kSameCpu};
  options.rep_timeout = absl::Seconds(30);
  const int64_t ops = 20000;  // tools/bench's round-trip count, before scaling

  std::vector<BenchRow> rows;
  Stream pipes;
  PipeLib pipe_lib;
  rows.push_back(Row("pipe 64 B", bench::RunComparison(
                                      {{"pipe round trip 64 B", ops, kMessage},
                                       pipes.Raw(false),
                                       pipe_lib.Ipcbox()},
                                      options)));
  Stream sockets;
  SocketLib socket_lib;
  rows.push_back(
      Row("unix stream 64 B",
          bench::RunComparison({{"unix stream round trip 64 B", ops, kMessage},
                                sockets.Raw(true),
                                socket_lib.Ipcbox()},
                               options)));
  Queues raw_queues, lib_queues;
  rows.push_back(
      Row("posix mq 64 B",
          bench::RunComparison({{"posix mq round trip 64 B", ops, kMessage},
                                raw_queues.Make(true),
                                lib_queues.Make(false)},
                               options)));
  Semaphores raw_sems, lib_sems;
  rows.push_back(
      Row("posix semaphore",
          bench::RunComparison({{"posix semaphore round trip", ops, 0},
                                raw_sems.Make(true),
                                lib_sems.Make(false)},
                               options)));
  return rows;
}

}  // namespace ipcbox::tool
