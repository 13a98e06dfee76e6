// Channel benchmarks: lib/channel's zero-copy publish-subscribe against the
// ways of moving a message between two processes without it, in one run.
//
//   ./bazelw run -c opt //tools/bench:channel_bench -- --repetitions=5
//   ./bazelw run -c opt //tools/bench:channel_bench -- --filter=1 MiB
//
// Every comparison is a ping-pong round trip between two processes (the
// harness's parent and peer, on one vCPU and on two): the parent sends a
// message of the case's size, the peer answers with one of the same size.
// The "raw" side is the baseline named in the case; "ipcbox" is a pair of
// channels (ping and pong), loaned, published, received and released:
//   - busy: a raw shared-memory SPSC ring polled with pause, against
//     channels whose subscribers spin (WaitOptions::spin very large);
//   - blocking: the same ring with a futex sleep when empty (a waiting flag,
//     FUTEX_WAKE only when it is set), against channels that sleep at once
//     (spin = 0);
//   - pipe, Unix stream socket, POSIX message queue: the message is written
//     and read whole (two copies each way), against blocking channels;
//   - default-wait: a Unix stream socket again, against channels with
//     WaitOptions' defaults (spin 2000 attempts, then sleep), what a user
//     gets without tuning.
// Zero-copy means what a channel moves does not depend on the size: the
// sender writes a header (the sequence number) into the slot and publishes
// `size` bytes; the rings do the same; the kernel mechanisms copy it all.
// Fan-out: one publisher and k subscribers, each sample acknowledged (an
// atomic counter in shared memory) before the next; "raw" is the same
// channel with one subscriber, so the ratio is what k subscribers cost
// against one. Two shapes:
//   - one process (busy or blocking): the k subscribers are in one peer
//     process, which receives and releases each sample on all k (spinning,
//     or sleeping on the first) and then acknowledges once. Two processes
//     on either layout, as on the raw one-subscriber side: what grows with
//     k is only the channel's own cost, the publisher's per sample and one
//     delivery per subscriber. This is the fair measure of "what k
//     subscribers cost against one".
//   - k processes: k subscriber processes that sleep, each acknowledging.
//     With k + 1 processes on one or two vCPUs this measures k futex
//     wake-ups and the scheduler's time-sharing of k + 1 processes as much
//     as the channel; kept for that.
//
// After the harness's table (median time per round trip and ratios), a
// second table gives percentiles of single round trips (p50, p99, p99.9,
// max) per case, side and layout, over every timed repetition; each trip is
// timed with two clock_gettime calls, which the medians include as well.
// Nothing here is a test: bench_smoke_test only checks that it runs.

#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);
constexpr uint32_t kRingSlots = 4;
constexpr size_t kMaxRecorded = size_t{1} << 16;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void Relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

void FutexWait(uint32_t* word, uint32_t expected) {
  struct timespec ts = {0, 100000000};  // bounded: re-check every 100 ms
  ::syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void FutexWake(uint32_t* word) {
  ::syscall(SYS_futex, word, FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

// A shared anonymous mapping, made in setup() so the peer inherits it.
struct SharedMapping {
  char* base = nullptr;
  size_t size = 0;

  absl::Status Map(size_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap");
    base = static_cast<char*>(p);
    size = bytes;
    return absl::OkStatus();
  }
  void Unmap() {
    if (base != nullptr) ::munmap(base, size);
    base = nullptr;
  }
};

// What the parent and its peer share besides the mechanism under test.
struct alignas(64) Control {
  int32_t peer_cpu;
  uint32_t attached;   // fan-out subscribers attached
  uint64_t total_ops;  // samples each fan-out subscriber reads
  alignas(64) uint32_t acks;
};

// -------------------------------------------------- raw SPSC ring baseline

// One direction: head and tail on their own cache lines, kRingSlots slots
// of `stride` bytes. The producer writes the sequence number and the
// length into the slot and advances head with release.
struct alignas(64) RingHeader {
  uint32_t head;
  alignas(64) uint32_t tail;
  alignas(64) uint32_t waiting;  // consumer asleep on head (futex mode)
  alignas(64) uint32_t length;
};

struct RawRing {
  RingHeader* header = nullptr;
  char* data = nullptr;
  size_t stride = 0;
  bool futex = false;

  void Send(uint64_t seq, uint32_t size) {
    const uint32_t head = __atomic_load_n(&header->head, __ATOMIC_RELAXED);
    while (head - __atomic_load_n(&header->tail, __ATOMIC_ACQUIRE) >=
           kRingSlots) {
      Relax();
    }
    char* slot = data + (head % kRingSlots) * stride;
    std::memcpy(slot, &seq, sizeof(seq));
    __atomic_store_n(&header->length, size, __ATOMIC_RELAXED);
    __atomic_store_n(&header->head, head + 1, __ATOMIC_SEQ_CST);
    if (futex && __atomic_load_n(&header->waiting, __ATOMIC_SEQ_CST) != 0) {
      FutexWake(&header->head);
    }
  }

  absl::Status Receive(uint64_t expected_seq) {
    const uint32_t tail = __atomic_load_n(&header->tail, __ATOMIC_RELAXED);
    const int64_t give_up = NowNs() + absl::ToInt64Nanoseconds(kWait);
    uint32_t spins = 0;
    for (;;) {
      const uint32_t head = __atomic_load_n(&header->head, __ATOMIC_ACQUIRE);
      if (head != tail) break;
      if (futex) {
        __atomic_store_n(&header->waiting, 1u, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&header->head, __ATOMIC_SEQ_CST) == tail) {
          FutexWait(&header->head, tail);
        }
        __atomic_store_n(&header->waiting, 0u, __ATOMIC_RELAXED);
      } else {
        Relax();
      }
      if ((++spins & 0xfff) == 0 && NowNs() > give_up) {
        return absl::DeadlineExceededError("raw ring: no message");
      }
    }
    uint64_t seq;
    std::memcpy(&seq, data + (tail % kRingSlots) * stride, sizeof(seq));
    __atomic_store_n(&header->tail, tail + 1, __ATOMIC_RELEASE);
    if (seq != expected_seq) {
      return absl::DataLossError(
          absl::StrCat("raw ring: got ", seq, ", expected ", expected_seq));
    }
    return absl::OkStatus();
  }
};

// ------------------------------------------------------------ recording

// Single round trips of one side of one case, per layout.
class Recorder {
 public:
  void Start(size_t reserve) {
    trips_.clear();
    trips_.reserve(reserve);
  }
  void Add(int64_t ns) {
    if (trips_.size() < trips_.capacity()) trips_.push_back(ns);
  }
  // Called in teardown: what the last run() recorded (the timed one).
  void Keep(const std::string& key) {
    std::vector<int64_t>& all = (*kept_)[key];
    all.insert(all.end(), trips_.begin(), trips_.end());
  }
  static std::map<std::string, std::vector<int64_t>>& All() { return *kept_; }

 private:
  std::vector<int64_t> trips_;
  static std::map<std::string, std::vector<int64_t>>* kept_;
};
std::map<std::string, std::vector<int64_t>>* Recorder::kept_ =
    new std::map<std::string, std::vector<int64_t>>();

// ------------------------------------------------------------- a case

enum class Kind { kRing, kFutexRing, kPipe, kUnixStream, kMqueue, kChannel };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kRing:
      return "raw shm ring (busy)";
    case Kind::kFutexRing:
      return "raw futex ring";
    case Kind::kPipe:
      return "pipe";
    case Kind::kUnixStream:
      return "unix stream";
    case Kind::kMqueue:
      return "posix mq";
    case Kind::kChannel:
      return "channel";
  }
  return "?";
}

// One side of a comparison: a mechanism, its state for one repetition, and
// the parent's and the peer's halves of a round trip.
class Side {
 public:
  // `subscribers` > 0: fan-out to that many (acknowledged through shared
  // memory); 0: a ping-pong.
  // `one_process`: the fan-out's subscribers all in the peer process.
  Side(std::string case_name, Kind kind, uint32_t size, bool busy,
       uint32_t subscribers, bool one_process)
      : case_name_(std::move(case_name)),
        kind_(kind),
        size_(size),
        busy_(busy),
        fanout_(subscribers > 0),
        one_process_(one_process),
        subscribers_(subscribers > 0 ? subscribers : 1) {}

  Variant MakeVariant(std::string name) {
    side_name_ = name;
    Variant v;
    v.name = std::move(name);
    v.setup = [this] { return Setup(); };
    v.peer_setup = [this] { return PeerSetup(); };
    v.peer = [this](int64_t ops) { return Peer(ops); };
    v.run = [this](int64_t ops) { return Run(ops); };
    v.teardown = [this] { Teardown(); };
    return v;
  }

 private:
  absl::Status Setup() {
    seq_ = 0;
    recorder_.Start(kMaxRecorded);
    if (absl::Status s = control_.Map(sizeof(Control)); !s.ok()) return s;
    control()->peer_cpu = -1;
    buffer_.assign(size_, 'x');
    switch (kind_) {
      case Kind::kRing:
      case Kind::kFutexRing: {
        stride_ = (size_ + 63) / 64 * 64;
        const size_t one = sizeof(RingHeader) + kRingSlots * stride_;
        if (absl::Status s = rings_.Map(2 * one); !s.ok()) return s;
        for (int i = 0; i < 2; ++i) {
          ring_[i].header =
              reinterpret_cast<RingHeader*>(rings_.base + i * one);
          ring_[i].data = rings_.base + i * one + sizeof(RingHeader);
          ring_[i].stride = stride_;
          ring_[i].futex = kind_ == Kind::kFutexRing;
        }
        return absl::OkStatus();
      }
      case Kind::kPipe:
        if (::pipe2(fds_[0], O_CLOEXEC) != 0 ||
            ::pipe2(fds_[1], O_CLOEXEC) != 0) {
          return absl::ErrnoToStatus(errno, "pipe2");
        }
        return absl::OkStatus();
      case Kind::kUnixStream:
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_[0]) !=
            0) {
          return absl::ErrnoToStatus(errno, "socketpair");
        }
        return absl::OkStatus();
      case Kind::kMqueue:
        return OpenQueues();
      case Kind::kChannel:
        return OpenChannels();
    }
    return absl::OkStatus();
  }

  absl::Status OpenQueues() {
    for (int i = 0; i < 2; ++i) {
      mq_names_[i] = UniqueName(i == 0 ? "chbench_mq_ping" : "chbench_mq_pong");
      struct mq_attr attr;
      std::memset(&attr, 0, sizeof(attr));
      attr.mq_maxmsg = 4;
      attr.mq_msgsize = size_;
      mqs_[i] = ::mq_open(mq_names_[i].c_str(), O_RDWR | O_CREAT | O_EXCL, 0600,
                          &attr);
      if (mqs_[i] == static_cast<mqd_t>(-1)) {
        mq_names_[i].clear();
        return absl::ErrnoToStatus(errno,
                                   "mq_open (a message this large "
                                   "may exceed msgsize_max)");
      }
    }
    return absl::OkStatus();
  }

  WaitOptions Waiting() const {
    WaitOptions w;  // default_waits_: as is (a short spin, then sleep)
    if (!default_waits_) w.spin = busy_ ? 100000000u : 0u;
    return w;
  }

 public:
  // The channel side waits as WaitOptions' defaults say, not spin = 0.
  void UseDefaultWaits() { default_waits_ = true; }

 private:
  // Ping (parent publishes) and pong (the peer publishes: the parent
  // creates it and lets it go, so that the peer can attach as publisher).
  absl::Status OpenChannels() {
    ChannelOptions options;
    options.slot_count = kRingSlots;
    options.max_subscribers = subscribers_;
    options.max_payload = size_;
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<PosixName> name = PosixName::Create(
          UniqueName(i == 0 ? "chbench_ping" : "chbench_pong"));
      if (!name.ok()) return name.status();
      channel_names_[i] = *name;
    }
    absl::StatusOr<Publisher> ping =
        Publisher::Create(*channel_names_[0], options, Waiting());
    if (!ping.ok()) return ping.status();
    ping_.emplace(*std::move(ping));
    if (!fanout_) {
      options.max_subscribers = 1;
      absl::StatusOr<Publisher> pong =
          Publisher::Create(*channel_names_[1], options, Waiting());
      if (!pong.ok()) return pong.status();
      pong->Disown();  // the name stays for the peer
      { Publisher leaving = *std::move(pong); }
      absl::StatusOr<Subscriber> from_peer =
          Subscriber::Attach(*channel_names_[1], Waiting());
      if (!from_peer.ok()) return from_peer.status();
      pong_in_.emplace(*std::move(from_peer));
    }
    return absl::OkStatus();
  }

  Control* control() { return reinterpret_cast<Control*>(control_.base); }

  absl::Status PeerSetup() {
    control()->peer_cpu = sched_getcpu();
    if (kind_ != Kind::kChannel) return absl::OkStatus();
    // Not ours in this process: never touch the parent's channel objects.
    if (!fanout_) {
      absl::StatusOr<Subscriber> in =
          Subscriber::Attach(*channel_names_[0], Waiting());
      if (!in.ok()) return in.status();
      peer_in_.emplace(*std::move(in));
      absl::StatusOr<Publisher> out =
          Publisher::Attach(*channel_names_[1], Waiting());
      if (!out.ok()) return out.status();
      peer_out_.emplace(*std::move(out));
      return absl::OkStatus();
    }
    if (one_process_) {
      // Fan-out in one process: k subscribers here, and no other process.
      peer_ins_.reserve(subscribers_);
      for (uint32_t i = 0; i < subscribers_; ++i) {
        absl::StatusOr<Subscriber> in =
            Subscriber::Attach(*channel_names_[0], Waiting());
        if (!in.ok()) return in.status();
        peer_ins_.push_back(*std::move(in));
      }
      return absl::OkStatus();
    }
    // Fan-out: k - 1 more subscriber processes, then this one.
    for (uint32_t i = 1; i < subscribers_; ++i) {
      const pid_t pid = ::fork();
      if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
      if (pid == 0) {
        absl::StatusOr<Subscriber> in =
            Subscriber::Attach(*channel_names_[0], Waiting());
        if (!in.ok()) _exit(3);
        __atomic_fetch_add(&control()->attached, 1u, __ATOMIC_SEQ_CST);
        for (;;) {
          absl::StatusOr<Sample> s = in->Receive(Deadline::After(kWait));
          if (!s.ok()) _exit(IsPublisherGone(s.status()) ? 0 : 4);
          const uint64_t seq = s->sequence();
          s->Reset();
          __atomic_fetch_add(&control()->acks, 1u, __ATOMIC_SEQ_CST);
          // Set by the peer before it acknowledged sample 0, so known by
          // the time the last one comes.
          const uint64_t total =
              __atomic_load_n(&control()->total_ops, __ATOMIC_SEQ_CST);
          if (total != 0 && seq + 1 >= total) _exit(0);
        }
      }
      fanout_children_.push_back(pid);
    }
    absl::StatusOr<Subscriber> in =
        Subscriber::Attach(*channel_names_[0], Waiting());
    if (!in.ok()) return in.status();
    peer_in_.emplace(*std::move(in));
    __atomic_fetch_add(&control()->attached, 1u, __ATOMIC_SEQ_CST);
    const int64_t give_up = NowNs() + absl::ToInt64Nanoseconds(kWait);
    while (__atomic_load_n(&control()->attached, __ATOMIC_SEQ_CST) <
           subscribers_) {
      if (NowNs() > give_up) {
        return absl::DeadlineExceededError("fan-out: subscribers missing");
      }
      ::usleep(1000);
    }
    return absl::OkStatus();
  }

  absl::Status ReadAll(int fd, char* p, size_t n) {
    while (n > 0) {
      const ssize_t got = ::read(fd, p, n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return absl::ErrnoToStatus(errno, "read");
      p += got;
      n -= static_cast<size_t>(got);
    }
    return absl::OkStatus();
  }
  absl::Status WriteAll(int fd, const char* p, size_t n) {
    while (n > 0) {
      const ssize_t put = ::write(fd, p, n);
      if (put < 0 && errno == EINTR) continue;
      if (put <= 0) return absl::ErrnoToStatus(errno, "write");
      p += put;
      n -= static_cast<size_t>(put);
    }
    return absl::OkStatus();
  }

  // Channel: loan, write the sequence number, publish `size_` bytes.
  static absl::Status Send(Publisher& out, uint64_t seq, uint32_t size) {
    absl::StatusOr<absl::Span<char>> slot = out.Loan(Deadline::After(kWait));
    if (!slot.ok()) return slot.status();
    std::memcpy(slot->data(), &seq, sizeof(seq));
    return out.Publish(size);
  }
  static absl::Status Expect(Subscriber& in, uint64_t seq, uint32_t size) {
    absl::StatusOr<Sample> s = in.Receive(Deadline::After(kWait));
    if (!s.ok()) return s.status();
    uint64_t got = ~uint64_t{0};
    if (s->data().size() >= sizeof(got)) {
      std::memcpy(&got, s->data().data(), sizeof(got));
    }
    if (got != seq || s->data().size() != size) {
      return absl::DataLossError(
          absl::StrCat("channel: got sample ", got, ", expected ", seq));
    }
    return absl::OkStatus();
  }

  // The parent's half of one round trip.
  absl::Status Trip(uint64_t seq) {
    switch (kind_) {
      case Kind::kRing:
      case Kind::kFutexRing:
        ring_[0].Send(seq, size_);
        return ring_[1].Receive(seq);
      case Kind::kPipe:
        if (absl::Status s = WriteAll(fds_[0][1], buffer_.data(), size_);
            !s.ok()) {
          return s;
        }
        return ReadAll(fds_[1][0], buffer_.data(), size_);
      case Kind::kUnixStream:
        if (absl::Status s = WriteAll(fds_[0][0], buffer_.data(), size_);
            !s.ok()) {
          return s;
        }
        return ReadAll(fds_[0][0], buffer_.data(), size_);
      case Kind::kMqueue: {
        if (::mq_send(mqs_[0], buffer_.data(), size_, 0) != 0) {
          return absl::ErrnoToStatus(errno, "mq_send");
        }
        const ssize_t got =
            ::mq_receive(mqs_[1], buffer_.data(), size_, nullptr);
        if (got != static_cast<ssize_t>(size_)) {
          return absl::ErrnoToStatus(errno, "mq_receive");
        }
        return absl::OkStatus();
      }
      case Kind::kChannel:
        if (absl::Status s = Send(*ping_, seq, size_); !s.ok()) return s;
        if (!fanout_) return Expect(*pong_in_, seq, size_);
        return WaitForAcks(seq);
    }
    return absl::OkStatus();
  }

  absl::Status WaitForAcks(uint64_t seq) {
    const uint32_t want =
        static_cast<uint32_t>((seq + 1) * (one_process_ ? 1 : subscribers_));
    const int64_t give_up = NowNs() + absl::ToInt64Nanoseconds(kWait);
    uint32_t spins = 0;
    while (__atomic_load_n(&control()->acks, __ATOMIC_ACQUIRE) < want) {
      Relax();
      if ((++spins & 0xfff) == 0) {
        if (NowNs() > give_up) {
          return absl::DeadlineExceededError("fan-out: acknowledgements");
        }
        if (!busy_) sched_yield();
      }
    }
    return absl::OkStatus();
  }

  // The peer's half, `ops` times.
  absl::Status Peer(int64_t ops) {
    __atomic_store_n(&control()->total_ops, static_cast<uint64_t>(ops),
                     __ATOMIC_SEQ_CST);
    for (int64_t i = 0; i < ops; ++i) {
      const uint64_t seq = static_cast<uint64_t>(i);
      absl::Status s;
      switch (kind_) {
        case Kind::kRing:
        case Kind::kFutexRing:
          s = ring_[0].Receive(seq);
          if (s.ok()) ring_[1].Send(seq, size_);
          break;
        case Kind::kPipe:
          s = ReadAll(fds_[0][0], buffer_.data(), size_);
          if (s.ok()) s = WriteAll(fds_[1][1], buffer_.data(), size_);
          break;
        case Kind::kUnixStream:
          s = ReadAll(fds_[0][1], buffer_.data(), size_);
          if (s.ok()) s = WriteAll(fds_[0][1], buffer_.data(), size_);
          break;
        case Kind::kMqueue: {
          const ssize_t got =
              ::mq_receive(mqs_[0], buffer_.data(), size_, nullptr);
          if (got != static_cast<ssize_t>(size_) ||
              ::mq_send(mqs_[1], buffer_.data(), size_, 0) != 0) {
            s = absl::ErrnoToStatus(errno, "mq");
          }
          break;
        }
        case Kind::kChannel:
          if (!fanout_) {
            s = Expect(*peer_in_, seq, size_);
            if (s.ok()) s = Send(*peer_out_, seq, size_);
          } else if (one_process_) {
            for (Subscriber& in : peer_ins_) {
              if (s.ok()) s = Expect(in, seq, size_);
            }
            __atomic_fetch_add(&control()->acks, 1u, __ATOMIC_RELEASE);
          } else {
            s = Expect(*peer_in_, seq, size_);
            __atomic_fetch_add(&control()->acks, 1u, __ATOMIC_SEQ_CST);
          }
          break;
      }
      if (!s.ok()) return s;
    }
    if (kind_ == Kind::kChannel && fanout_) {
      // The other subscribers stop after the last sample; reap them,
      // bounded.
      const int64_t give_up = NowNs() + absl::ToInt64Nanoseconds(kWait);
      for (pid_t pid : fanout_children_) {
        int status = 0;
        while (::waitpid(pid, &status, WNOHANG) == 0) {
          if (NowNs() > give_up) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return absl::DeadlineExceededError("fan-out: a subscriber hung");
          }
          ::usleep(1000);
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Run(int64_t ops) {
    recorder_.Start(kMaxRecorded);
    for (int64_t i = 0; i < ops; ++i) {
      const int64_t start = NowNs();
      if (absl::Status s = Trip(seq_); !s.ok()) return s;
      recorder_.Add(NowNs() - start);
      ++seq_;
    }
    parent_cpu_ = sched_getcpu();
    return absl::OkStatus();
  }

  void Teardown() {
    if (control_.base != nullptr && control()->peer_cpu >= 0) {
      const bool same = control()->peer_cpu == parent_cpu_;
      recorder_.Keep(absl::StrCat(case_name_, "\t", side_name_, "\t",
                                  same ? "same vCPU" : "two vCPUs"));
    }
    pong_in_.reset();
    ping_.reset();
    for (std::optional<PosixName>& name : channel_names_) {
      if (name.has_value()) ::shm_unlink(name->c_str());
      name.reset();
    }
    for (int i = 0; i < 2; ++i) {
      if (mqs_[i] != static_cast<mqd_t>(-1)) ::mq_close(mqs_[i]);
      mqs_[i] = static_cast<mqd_t>(-1);
      if (!mq_names_[i].empty()) ::mq_unlink(mq_names_[i].c_str());
      mq_names_[i].clear();
      for (int& fd : fds_[i]) {
        if (fd >= 0) ::close(fd);
        fd = -1;
      }
    }
    fanout_children_.clear();
    rings_.Unmap();
    control_.Unmap();
  }

  std::string case_name_;
  std::string side_name_;
  Kind kind_;
  uint32_t size_;
  bool busy_;
  bool fanout_;
  bool one_process_;
  bool default_waits_ = false;
  uint32_t subscribers_;
  uint64_t seq_ = 0;
  int parent_cpu_ = -1;
  Recorder recorder_;
  SharedMapping control_;
  SharedMapping rings_;
  size_t stride_ = 0;
  RawRing ring_[2];
  std::vector<char> buffer_;
  int fds_[2][2] = {{-1, -1}, {-1, -1}};
  mqd_t mqs_[2] = {static_cast<mqd_t>(-1), static_cast<mqd_t>(-1)};
  std::string mq_names_[2];
  std::optional<PosixName> channel_names_[2];
  std::optional<Publisher> ping_;
  std::optional<Subscriber> pong_in_;
  // The peer's (only ever set in the peer process).
  std::optional<Subscriber> peer_in_;
  std::optional<Publisher> peer_out_;
  std::vector<Subscriber> peer_ins_;  // fan-out in one process
  std::vector<pid_t> fanout_children_;
};

std::string SizeName(uint32_t size) {
  if (size >= (1u << 20)) return absl::StrCat(size >> 20, " MiB");
  if (size >= 1024) return absl::StrCat(size >> 10, " KiB");
  return absl::StrCat(size, " B");
}

// Fewer trips for the large sizes (the copies) and for busy polling: on
// one vCPU a busy trip waits for the spinner's time slice to end (about
// 20 ms here), on two it takes well under a microsecond.
int64_t OpsFor(uint32_t size, bool busy) {
  if (busy) return 200;
  return size >= (1u << 20) ? 200 : size >= (64u << 10) ? 500 : 2000;
}

// `*_subscribers`: 0 for a ping-pong, else a fan-out to that many.
void AddComparison(Suite& suite, const std::string& name, Kind raw, Kind lib,
                   uint32_t size, bool busy, uint32_t raw_subscribers,
                   uint32_t lib_subscribers, int64_t ops,
                   bool one_process = false, bool default_waits = false) {
  // The suite's variants point at the sides until exit, so they are never
  // destroyed; kept reachable from a static so that LeakSanitizer (the asan
  // smoke test) does not count them as leaks.
  static std::vector<Side*>* const kept = new std::vector<Side*>();
  Side* raw_side =
      new Side(name, raw, size, busy, raw_subscribers, one_process);
  Side* lib_side =
      new Side(name, lib, size, busy, lib_subscribers, one_process);
  if (default_waits) lib_side->UseDefaultWaits();
  kept->push_back(raw_side);
  kept->push_back(lib_side);
  const std::string raw_name =
      raw_subscribers > 0 ? "channel, 1 subscriber" : KindName(raw);
  const std::string lib_name =
      lib_subscribers > 0
          ? absl::StrCat("channel, ", lib_subscribers, " subscribers")
          : std::string("channel");
  suite.Add({name, ops, size}, raw_side->MakeVariant(raw_name),
            lib_side->MakeVariant(lib_name));
}

void PrintPercentiles() {
  std::printf(
      "\n## Single round trips (all timed repetitions): "
      "p50 / p99 / p99.9 / max, microseconds\n\n");
  std::printf("%-44s %-22s %-10s %8s %8s %8s %8s %8s\n", "case", "side",
              "layout", "trips", "p50", "p99", "p99.9", "max");
  for (auto& [key, trips] : Recorder::All()) {
    if (trips.empty()) continue;
    std::sort(trips.begin(), trips.end());
    auto at = [&](double p) {
      size_t i = static_cast<size_t>(p * static_cast<double>(trips.size()));
      if (i >= trips.size()) i = trips.size() - 1;
      return static_cast<double>(trips[i]) / 1000.0;
    };
    std::vector<std::string> parts = absl::StrSplit(key, '\t');
    std::printf("%-44s %-22s %-10s %8zu %8.2f %8.2f %8.2f %8.2f\n",
                parts[0].c_str(), parts[1].c_str(), parts[2].c_str(),
                trips.size(), at(0.5), at(0.99), at(0.999),
                static_cast<double>(trips.back()) / 1000.0);
  }
}

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::Kind;
  ipcbox::bench::Suite suite(
      "channel: ipcbox (lib/channel) vs raw rings, pipe, Unix socket, POSIX "
      "queue");
  const uint32_t sizes[] = {64, 4096, 64 << 10, 1 << 20};
  for (uint32_t size : sizes) {
    const std::string s = ipcbox::bench::SizeName(size);
    ipcbox::bench::AddComparison(suite, "busy round trip " + s + " vs shm ring",
                                 Kind::kRing, Kind::kChannel, size, true, 0, 0,
                                 ipcbox::bench::OpsFor(size, true));
    ipcbox::bench::AddComparison(
        suite, "blocking round trip " + s + " vs futex ring", Kind::kFutexRing,
        Kind::kChannel, size, false, 0, 0, ipcbox::bench::OpsFor(size, false));
    ipcbox::bench::AddComparison(suite, "blocking round trip " + s + " vs pipe",
                                 Kind::kPipe, Kind::kChannel, size, false, 0, 0,
                                 ipcbox::bench::OpsFor(size, false));
    ipcbox::bench::AddComparison(suite,
                                 "blocking round trip " + s + " vs unix stream",
                                 Kind::kUnixStream, Kind::kChannel, size, false,
                                 0, 0, ipcbox::bench::OpsFor(size, false));
    // What a user gets without tuning: the default waits (spin, then
    // sleep), where the "blocking" cases sleep at once like the kernel.
    ipcbox::bench::AddComparison(
        suite, "default-wait round trip " + s + " vs unix stream",
        Kind::kUnixStream, Kind::kChannel, size, false, 0, 0,
        ipcbox::bench::OpsFor(size, false), false, /*default_waits=*/true);
    // The default msgsize_max is 8192: larger queues cannot be made.
    if (size <= 4096) {
      ipcbox::bench::AddComparison(suite,
                                   "blocking round trip " + s + " vs posix mq",
                                   Kind::kMqueue, Kind::kChannel, size, false,
                                   0, 0, ipcbox::bench::OpsFor(size, false));
    }
  }
  for (uint32_t k : {2u, 4u}) {
    ipcbox::bench::AddComparison(
        suite, absl::StrCat("busy fan-out 64 B to ", k, " vs 1, one process"),
        Kind::kChannel, Kind::kChannel, 64, true, 1, k,
        ipcbox::bench::OpsFor(64, true), /*one_process=*/true);
    ipcbox::bench::AddComparison(
        suite,
        absl::StrCat("blocking fan-out 64 B to ", k, " vs 1, one process"),
        Kind::kChannel, Kind::kChannel, 64, false, 1, k, 1000,
        /*one_process=*/true);
    ipcbox::bench::AddComparison(
        suite,
        absl::StrCat("blocking fan-out 64 B to ", k, " vs 1, k processes"),
        Kind::kChannel, Kind::kChannel, 64, false, 1, k, 1000);
  }
  const int code = suite.Main(argc, argv);
  ipcbox::bench::PrintPercentiles();
  return code;
}
