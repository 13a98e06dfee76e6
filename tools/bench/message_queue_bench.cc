// Message-queue benchmarks: ipcbox's lib/message_queue against the raw
// calls it wraps, in the same run: posix::MessageQueue against mq_send(3) /
// mq_receive(3), sysv::MessageQueue against msgsnd(2) / msgrcv(2).
//
//   ./bazelw run -c opt //tools/bench:message_queue_bench
//   ./bazelw run -c opt //tools/bench:message_queue_bench -- --filter=sysv
//
// Cases, each for both backends:
//   - send+receive 64 B, one process: one message in and out of a queue in
//     the same thread; no wake-ups: what ipcbox costs per call. For System V
//     twice: with a sysv::Message<64> (the typed, zero-copy calls) and with
//     byte spans and a priority (the generic subset, which copies through the
//     queue's buffers and receives with msgtyp -32768);
//   - ping-pong 64 B: the parent sends a message to the peer, the peer sends
//     it back; one operation is one round trip (two wake-ups). POSIX uses two
//     queues; System V one queue and two types, its usual idiom;
//   - throughput 1 KiB: the parent streams 1 KiB messages into a queue of 10,
//     the peer receives them all.
// Queues are private (System V IPC_PRIVATE; POSIX created and unlinked at
// once) with the same capacity on both sides of a comparison: 10 messages of
// the case's size (System V: msg_qbytes = 10 * size).
//
// What ipcbox adds: argument checks (type, size, priority, buffer), a
// status return, and, for the System V priority calls, one memcpy each way.
// Blocking calls are the same single system call as the raw ones, so the
// time ratios sit at 1.00 within the noise; count instructions to see the
// difference (tools/bench/README.md):
//
//   valgrind --tool=callgrind --collect-atstart=no
//       --toggle-collect='ipcbox::bench::internal::*'
//       bazel-bin/tools/bench/message_queue_bench --repetitions=1
//       --ops_scale=0.1 --filter='posix send+receive'      (one command line)
//
// Measured once (x86_64, -c opt, gcc 12, static glibc), user-space
// instructions per send+receive of 64 B: POSIX 110 raw, 248 ipcbox; System V
// typed 109 raw, 177 ipcbox; System V by priority 109 raw, 343 ipcbox (two
// 64-byte copies through the queue's buffers).

#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kSmall = 64;
constexpr size_t kLarge = 1024;
constexpr size_t kQueueDepth = 10;

// Every case below is written once, over a queue "link" that each side of
// the comparison implements with its own calls:
//
//   absl::Status Open(int directions);  // 1, or 2 for a round trip
//   void Close();
//   absl::Status Send(int direction);   // one kSize-byte message
//   absl::Status Receive(int direction);
//
// Direction 1 goes towards the peer, 2 back to the parent; receiving from
// direction 0 takes whatever comes. A POSIX link is a queue per direction;
// a System V link is one queue whose message types are the directions.
// Links hold their message buffers; each process has its own after fork.

// ---------------------------------------------------------------- raw POSIX

// POSIX queues by hand: created under unique names, unlinked at once.
template <size_t kSize>
struct RawPosixLink {
  mqd_t fds[2] = {static_cast<mqd_t>(-1), static_cast<mqd_t>(-1)};
  char buf[kSize] = {};

  absl::Status Open(int directions) {
    for (int i = 0; i < directions; ++i) {
      const std::string name = UniqueName("mq_bench");
      struct mq_attr attr = {};
      attr.mq_maxmsg = kQueueDepth;
      attr.mq_msgsize = static_cast<long>(kSize);
      fds[i] = ::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
      if (fds[i] == static_cast<mqd_t>(-1)) {
        const int err = errno;
        Close();
        return absl::ErrnoToStatus(err, "mq_open");
      }
      ::mq_unlink(name.c_str());
    }
    return absl::OkStatus();
  }
  void Close() {
    for (mqd_t& fd : fds) {
      if (fd != static_cast<mqd_t>(-1)) ::mq_close(fd);
      fd = static_cast<mqd_t>(-1);
    }
  }
  absl::Status Send(int direction) {
    while (::mq_send(Queue(direction), buf, kSize, 1) != 0) {
      if (errno != EINTR) return absl::ErrnoToStatus(errno, "mq_send");
    }
    return absl::OkStatus();
  }
  absl::Status Receive(int direction) {
    unsigned priority;
    while (::mq_receive(Queue(direction), buf, kSize, &priority) < 0) {
      if (errno != EINTR) return absl::ErrnoToStatus(errno, "mq_receive");
    }
    return absl::OkStatus();
  }
  mqd_t Queue(int direction) const { return fds[direction == 2 ? 1 : 0]; }
};

// --------------------------------------------------------------- raw System V

// A System V queue by hand: IPC_PRIVATE, msg_qbytes for kQueueDepth
// messages, removed at Close(), or by Open() if sizing it fails (the
// harness tears down only what was set up). `kReceiveType` replaces the
// direction as msgrcv's msgtyp when non-zero.
template <size_t kSize, long kReceiveType = 0>
struct RawSysvLink {
  int id = -1;
  struct {
    long mtype;
    char mtext[kSize];
  } msg = {};

  absl::Status Open(int /*directions*/) {
    id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id < 0) return absl::ErrnoToStatus(errno, "msgget");
    struct msqid_ds ds;
    const char* failed = nullptr;
    if (::msgctl(id, IPC_STAT, &ds) != 0) {
      failed = "IPC_STAT";
    } else {
      ds.msg_qbytes = kQueueDepth * kSize;
      if (::msgctl(id, IPC_SET, &ds) != 0) failed = "IPC_SET";
    }
    if (failed == nullptr) return absl::OkStatus();
    const int err = errno;
    Close();
    return absl::ErrnoToStatus(err, failed);
  }
  void Close() {
    if (id >= 0) ::msgctl(id, IPC_RMID, nullptr);
    id = -1;
  }
  absl::Status Send(int direction) {
    msg.mtype = direction;
    while (::msgsnd(id, &msg, kSize, 0) != 0) {
      if (errno != EINTR) return absl::ErrnoToStatus(errno, "msgsnd");
    }
    return absl::OkStatus();
  }
  absl::Status Receive(int direction) {
    const long type = kReceiveType != 0 ? kReceiveType : direction;
    while (::msgrcv(id, &msg, kSize, type, 0) < 0) {
      if (errno != EINTR) return absl::ErrnoToStatus(errno, "msgrcv");
    }
    return absl::OkStatus();
  }
};

// The lowest priority first, as the generic calls receive (msgtyp -32768).
template <size_t kSize>
using RawSysvByPriorityLink =
    RawSysvLink<kSize, -static_cast<long>(kMaxMessagePriority + 1)>;

// ------------------------------------------------------------- ipcbox side

template <typename Queue>
absl::Status OpenPrivate(Queue& queue, size_t message_size) {
  absl::StatusOr<Queue> created =
      Queue::CreatePrivate(QueueCapacity{kQueueDepth, message_size});
  if (!created.ok()) return created.status();
  queue = *std::move(created);
  return absl::OkStatus();
}

// The generic calls, byte spans and a priority, of either backend: a queue
// per direction (System V uses only the first, for one direction).
template <typename Queue, size_t kSize>
struct LibBytesLink {
  Queue queues[2];
  char buf[kSize] = {};

  absl::Status Open(int directions) {
    for (int i = 0; i < directions; ++i) {
      if (absl::Status s = OpenPrivate(queues[i], kSize); !s.ok()) {
        Close();
        return s;
      }
    }
    return absl::OkStatus();
  }
  void Close() {
    for (Queue& queue : queues) queue = Queue();
  }
  absl::Status Send(int direction) {
    return queues[direction == 2 ? 1 : 0].Send(absl::string_view(buf, kSize),
                                               1);
  }
  absl::Status Receive(int direction) {
    return queues[direction == 2 ? 1 : 0].Receive(absl::MakeSpan(buf)).status();
  }
};

// System V's typed calls: a sysv::Message<kSize> in and out.
template <size_t kSize>
struct LibSysvTypedLink {
  sysv::MessageQueue queue;
  sysv::Message<kSize> msg;

  absl::Status Open(int /*directions*/) {
    (void)msg.SetPayloadSize(kSize);
    return OpenPrivate(queue, kSize);
  }
  void Close() { queue = sysv::MessageQueue(); }
  absl::Status Send(int direction) {
    msg.set_type(direction);
    return queue.SendMessage(msg);
  }
  absl::Status Receive(int direction) {
    if (direction == 0) return queue.ReceiveMessage(msg);
    return queue.ReceiveMessage(msg, sysv::TypeSelector::Exactly(direction));
  }
};

// ------------------------------------------------------------------ cases

// `name` over a link of its own, opened with `directions` at setup and
// closed at teardown; `peer` and `run` get the link and the op count.
template <typename Link, typename Peer, typename Run>
Variant Over(std::string name, int directions, Peer peer, Run run) {
  auto link = std::make_shared<Link>();
  Variant v;
  v.name = std::move(name);
  v.setup = [link, directions] { return link->Open(directions); };
  if constexpr (!std::is_same_v<Peer, std::nullptr_t>) {
    v.peer = [link, peer](int64_t ops) { return peer(*link, ops); };
  }
  v.run = [link, run](int64_t ops) { return run(*link, ops); };
  v.teardown = [link] { link->Close(); };
  return v;
}

// One message in and out of a queue in the same thread.
template <typename Link>
struct OneProcess {
  static Variant Make(std::string name) {
    return Over<Link>(std::move(name), 1, nullptr, [](Link& link, int64_t ops) {
      return Repeat(ops, [&] {
        if (absl::Status s = link.Send(1); !s.ok()) return s;
        return link.Receive(0);
      });
    });
  }
};

// The parent sends, the peer sends back: one round trip per operation.
template <typename Link>
struct PingPong {
  static Variant Make(std::string name) {
    return Over<Link>(
        std::move(name), 2,
        [](Link& link, int64_t ops) {
          return Repeat(ops, [&] {
            if (absl::Status s = link.Receive(1); !s.ok()) return s;
            return link.Send(2);
          });
        },
        [](Link& link, int64_t ops) {
          return Repeat(ops, [&] {
            if (absl::Status s = link.Send(1); !s.ok()) return s;
            return link.Receive(2);
          });
        });
  }
};

// The parent streams messages, the peer receives them all.
template <typename Link>
struct Throughput {
  static Variant Make(std::string name) {
    return Over<Link>(
        std::move(name), 1,
        [](Link& link, int64_t ops) {
          return Repeat(ops, [&] { return link.Receive(0); });
        },
        [](Link& link, int64_t ops) {
          return Repeat(ops, [&] { return link.Send(1); });
        });
  }
};

// The same case, raw and ipcbox.
template <template <typename> class Shape, typename RawLink, typename LibLink>
void AddCase(Suite& suite, Case bench_case) {
  suite.Add(std::move(bench_case), Shape<RawLink>::Make("raw"),
            Shape<LibLink>::Make("ipcbox"));
}

void AddCases(Suite& suite) {
  using PosixQueue = posix::MessageQueue;
  using SysvQueue = sysv::MessageQueue;
  AddCase<OneProcess, RawPosixLink<kSmall>, LibBytesLink<PosixQueue, kSmall>>(
      suite, {"posix send+receive 64 B, one process", 20000, kSmall});
  AddCase<OneProcess, RawSysvLink<kSmall>, LibSysvTypedLink<kSmall>>(
      suite, {"sysv send+receive 64 B typed, one process", 20000, kSmall});
  AddCase<OneProcess, RawSysvByPriorityLink<kSmall>,
          LibBytesLink<SysvQueue, kSmall>>(
      suite,
      {"sysv send+receive 64 B by priority, one process", 20000, kSmall});
  AddCase<PingPong, RawPosixLink<kSmall>, LibBytesLink<PosixQueue, kSmall>>(
      suite, {"posix ping-pong 64 B (two queues)", 2000, kSmall});
  AddCase<PingPong, RawSysvLink<kSmall>, LibSysvTypedLink<kSmall>>(
      suite, {"sysv ping-pong 64 B (one queue, two types)", 2000, kSmall});
  AddCase<Throughput, RawPosixLink<kLarge>, LibBytesLink<PosixQueue, kLarge>>(
      suite, {"posix throughput 1 KiB messages", 20000, kLarge});
  AddCase<Throughput, RawSysvLink<kLarge>, LibSysvTypedLink<kLarge>>(
      suite, {"sysv throughput 1 KiB messages", 20000, kLarge});
}

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  ipcbox::bench::Suite suite(
      "message queues: ipcbox (lib/message_queue) vs raw mq_*/msg*");
  ipcbox::bench::AddCases(suite);
  return suite.Main(argc, argv);
}
