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

// ---------------------------------------------------------------- raw POSIX

// A POSIX queue by hand: created under a unique name, unlinked at once.
struct RawMq {
  mqd_t fd = -1;

  absl::Status Open(size_t message_size) {
    const std::string name = UniqueName("mq_bench");
    struct mq_attr attr = {};
    attr.mq_maxmsg = kQueueDepth;
    attr.mq_msgsize = static_cast<long>(message_size);
    fd = ::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (fd == static_cast<mqd_t>(-1))
      return absl::ErrnoToStatus(errno, "mq_open");
    ::mq_unlink(name.c_str());
    return absl::OkStatus();
  }
  void Close() {
    if (fd != static_cast<mqd_t>(-1)) ::mq_close(fd);
    fd = -1;
  }
};

absl::Status RawMqSend(mqd_t fd, const char* data, size_t size) {
  while (::mq_send(fd, data, size, 1) != 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "mq_send");
  }
  return absl::OkStatus();
}

absl::Status RawMqReceive(mqd_t fd, char* buf, size_t size) {
  unsigned priority;
  while (::mq_receive(fd, buf, size, &priority) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "mq_receive");
  }
  return absl::OkStatus();
}

// --------------------------------------------------------------- raw System V

template <size_t kSize>
struct RawMsg {
  long mtype;
  char mtext[kSize];
};

// A System V queue by hand: IPC_PRIVATE, msg_qbytes for kQueueDepth
// messages, removed at teardown, or by Open() if sizing it fails (the
// harness tears down only what was set up).
struct RawMsq {
  int id = -1;

  absl::Status Open(size_t message_size) {
    id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id < 0) return absl::ErrnoToStatus(errno, "msgget");
    struct msqid_ds ds;
    const char* failed = nullptr;
    if (::msgctl(id, IPC_STAT, &ds) != 0) {
      failed = "IPC_STAT";
    } else {
      ds.msg_qbytes = kQueueDepth * message_size;
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
};

absl::Status RawMsgSend(int id, const void* msg, size_t size) {
  while (::msgsnd(id, msg, size, 0) != 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "msgsnd");
  }
  return absl::OkStatus();
}

absl::Status RawMsgReceive(int id, void* msg, size_t size, long type) {
  while (::msgrcv(id, msg, size, type, 0) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "msgrcv");
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------- ipcbox side

template <typename Queue>
absl::Status OpenPrivate(Queue& queue, size_t message_size) {
  absl::StatusOr<Queue> created =
      Queue::CreatePrivate(QueueCapacity{kQueueDepth, message_size});
  if (!created.ok()) return created.status();
  queue = *std::move(created);
  return absl::OkStatus();
}

// A loop of `ops` calls to `step`, stopping at the first error.
template <typename Step>
absl::Status Repeat(int64_t ops, Step step) {
  for (int64_t i = 0; i < ops; ++i) {
    if (absl::Status s = step(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ POSIX cases

struct PosixOneProcess {
  RawMq raw;
  posix::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kSmall); };
    v.run = [this](int64_t ops) {
      char buf[kSmall] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = RawMqSend(raw.fd, buf, kSmall); !s.ok()) return s;
        return RawMqReceive(raw.fd, buf, kSmall);
      });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kSmall); };
    v.run = [this](int64_t ops) {
      char buf[kSmall] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = lib.Send(absl::string_view(buf, kSmall), 1);
            !s.ok()) {
          return s;
        }
        return lib.Receive(absl::MakeSpan(buf)).status();
      });
    };
    v.teardown = [this] { lib = posix::MessageQueue(); };
    return v;
  }
};

struct PosixPingPong {
  RawMq raw_to_peer, raw_to_parent;
  posix::MessageQueue to_peer, to_parent;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] {
      if (absl::Status s = raw_to_peer.Open(kSmall); !s.ok()) return s;
      return raw_to_parent.Open(kSmall);
    };
    v.peer = [this](int64_t ops) {
      char buf[kSmall];
      return Repeat(ops, [&] {
        if (absl::Status s = RawMqReceive(raw_to_peer.fd, buf, kSmall); !s.ok())
          return s;
        return RawMqSend(raw_to_parent.fd, buf, kSmall);
      });
    };
    v.run = [this](int64_t ops) {
      char buf[kSmall] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = RawMqSend(raw_to_peer.fd, buf, kSmall); !s.ok())
          return s;
        return RawMqReceive(raw_to_parent.fd, buf, kSmall);
      });
    };
    v.teardown = [this] {
      raw_to_peer.Close();
      raw_to_parent.Close();
    };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] {
      if (absl::Status s = OpenPrivate(to_peer, kSmall); !s.ok()) return s;
      return OpenPrivate(to_parent, kSmall);
    };
    v.peer = [this](int64_t ops) {
      char buf[kSmall];
      return Repeat(ops, [&]() -> absl::Status {
        absl::StatusOr<ReceivedMessage> got =
            to_peer.Receive(absl::MakeSpan(buf));
        if (!got.ok()) return got.status();
        return to_parent.Send(absl::string_view(buf, got->size), got->priority);
      });
    };
    v.run = [this](int64_t ops) {
      char buf[kSmall] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = to_peer.Send(absl::string_view(buf, kSmall), 1);
            !s.ok()) {
          return s;
        }
        return to_parent.Receive(absl::MakeSpan(buf)).status();
      });
    };
    v.teardown = [this] {
      to_peer = posix::MessageQueue();
      to_parent = posix::MessageQueue();
    };
    return v;
  }
};

struct PosixThroughput {
  RawMq raw;
  posix::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kLarge); };
    v.peer = [this](int64_t ops) {
      char buf[kLarge];
      return Repeat(ops, [&] { return RawMqReceive(raw.fd, buf, kLarge); });
    };
    v.run = [this](int64_t ops) {
      char buf[kLarge] = {};
      return Repeat(ops, [&] { return RawMqSend(raw.fd, buf, kLarge); });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kLarge); };
    v.peer = [this](int64_t ops) {
      char buf[kLarge];
      return Repeat(ops,
                    [&] { return lib.Receive(absl::MakeSpan(buf)).status(); });
    };
    v.run = [this](int64_t ops) {
      char buf[kLarge] = {};
      return Repeat(
          ops, [&] { return lib.Send(absl::string_view(buf, kLarge), 1); });
    };
    v.teardown = [this] { lib = posix::MessageQueue(); };
    return v;
  }
};

// ------------------------------------------------------------ System V cases

// The typed calls: a sysv::Message<64> in and out.
struct SysvOneProcessTyped {
  RawMsq raw;
  sysv::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kSmall); };
    v.run = [this](int64_t ops) {
      RawMsg<kSmall> msg = {};
      return Repeat(ops, [&] {
        msg.mtype = 1;
        if (absl::Status s = RawMsgSend(raw.id, &msg, kSmall); !s.ok())
          return s;
        return RawMsgReceive(raw.id, &msg, kSmall, 0);
      });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kSmall); };
    v.run = [this](int64_t ops) {
      sysv::Message<kSmall> msg;
      (void)msg.SetPayloadSize(kSmall);
      return Repeat(ops, [&] {
        msg.set_type(1);
        if (absl::Status s = lib.SendMessage(msg); !s.ok()) return s;
        return lib.ReceiveMessage(msg);
      });
    };
    v.teardown = [this] { lib = sysv::MessageQueue(); };
    return v;
  }
};

// The generic subset: byte spans and a priority (msgtyp -32768 to receive).
struct SysvOneProcessPriority {
  RawMsq raw;
  sysv::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kSmall); };
    v.run = [this](int64_t ops) {
      RawMsg<kSmall> msg = {};
      return Repeat(ops, [&] {
        msg.mtype = 1;
        if (absl::Status s = RawMsgSend(raw.id, &msg, kSmall); !s.ok())
          return s;
        return RawMsgReceive(raw.id, &msg, kSmall,
                             -static_cast<long>(kMaxMessagePriority + 1));
      });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kSmall); };
    v.run = [this](int64_t ops) {
      char buf[kSmall] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = lib.Send(absl::string_view(buf, kSmall), 1);
            !s.ok()) {
          return s;
        }
        return lib.Receive(absl::MakeSpan(buf)).status();
      });
    };
    v.teardown = [this] { lib = sysv::MessageQueue(); };
    return v;
  }
};

// One queue, type 1 towards the peer, type 2 back.
struct SysvPingPong {
  RawMsq raw;
  sysv::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kSmall); };
    v.peer = [this](int64_t ops) {
      RawMsg<kSmall> msg;
      return Repeat(ops, [&] {
        if (absl::Status s = RawMsgReceive(raw.id, &msg, kSmall, 1); !s.ok())
          return s;
        msg.mtype = 2;
        return RawMsgSend(raw.id, &msg, kSmall);
      });
    };
    v.run = [this](int64_t ops) {
      RawMsg<kSmall> msg = {};
      return Repeat(ops, [&] {
        msg.mtype = 1;
        if (absl::Status s = RawMsgSend(raw.id, &msg, kSmall); !s.ok())
          return s;
        return RawMsgReceive(raw.id, &msg, kSmall, 2);
      });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kSmall); };
    v.peer = [this](int64_t ops) {
      sysv::Message<kSmall> msg;
      return Repeat(ops, [&] {
        if (absl::Status s =
                lib.ReceiveMessage(msg, sysv::TypeSelector::Exactly(1));
            !s.ok()) {
          return s;
        }
        msg.set_type(2);
        return lib.SendMessage(msg);
      });
    };
    v.run = [this](int64_t ops) {
      sysv::Message<kSmall> msg;
      (void)msg.SetPayloadSize(kSmall);
      return Repeat(ops, [&] {
        msg.set_type(1);
        if (absl::Status s = lib.SendMessage(msg); !s.ok()) return s;
        return lib.ReceiveMessage(msg, sysv::TypeSelector::Exactly(2));
      });
    };
    v.teardown = [this] { lib = sysv::MessageQueue(); };
    return v;
  }
};

struct SysvThroughput {
  RawMsq raw;
  sysv::MessageQueue lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(kLarge); };
    v.peer = [this](int64_t ops) {
      RawMsg<kLarge> msg;
      return Repeat(ops,
                    [&] { return RawMsgReceive(raw.id, &msg, kLarge, 0); });
    };
    v.run = [this](int64_t ops) {
      RawMsg<kLarge> msg = {};
      msg.mtype = 1;
      return Repeat(ops, [&] { return RawMsgSend(raw.id, &msg, kLarge); });
    };
    v.teardown = [this] { raw.Close(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return OpenPrivate(lib, kLarge); };
    v.peer = [this](int64_t ops) {
      sysv::Message<kLarge> msg;
      return Repeat(ops, [&] { return lib.ReceiveMessage(msg); });
    };
    v.run = [this](int64_t ops) {
      sysv::Message<kLarge> msg;
      msg.set_type(1);
      (void)msg.SetPayloadSize(kLarge);
      return Repeat(ops, [&] { return lib.SendMessage(msg); });
    };
    v.teardown = [this] { lib = sysv::MessageQueue(); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::kLarge;
  using ipcbox::bench::kSmall;
  ipcbox::bench::PosixOneProcess posix_one;
  ipcbox::bench::PosixPingPong posix_ping;
  ipcbox::bench::PosixThroughput posix_stream;
  ipcbox::bench::SysvOneProcessTyped sysv_one_typed;
  ipcbox::bench::SysvOneProcessPriority sysv_one_priority;
  ipcbox::bench::SysvPingPong sysv_ping;
  ipcbox::bench::SysvThroughput sysv_stream;
  ipcbox::bench::Suite suite(
      "message queues: ipcbox (lib/message_queue) vs raw mq_*/msg*");
  suite.Add({"posix send+receive 64 B, one process", 20000, kSmall},
            posix_one.Raw(), posix_one.Ipcbox());
  suite.Add({"sysv send+receive 64 B typed, one process", 20000, kSmall},
            sysv_one_typed.Raw(), sysv_one_typed.Ipcbox());
  suite.Add({"sysv send+receive 64 B by priority, one process", 20000, kSmall},
            sysv_one_priority.Raw(), sysv_one_priority.Ipcbox());
  suite.Add({"posix ping-pong 64 B (two queues)", 2000, kSmall},
            posix_ping.Raw(), posix_ping.Ipcbox());
  suite.Add({"sysv ping-pong 64 B (one queue, two types)", 2000, kSmall},
            sysv_ping.Raw(), sysv_ping.Ipcbox());
  suite.Add({"posix throughput 1 KiB messages", 20000, kLarge},
            posix_stream.Raw(), posix_stream.Ipcbox());
  suite.Add({"sysv throughput 1 KiB messages", 20000, kLarge},
            sysv_stream.Raw(), sysv_stream.Ipcbox());
  return suite.Main(argc, argv);
}
