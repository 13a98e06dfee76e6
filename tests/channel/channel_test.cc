// The channel between real processes: order and content (checksummed),
// fan-out, both slow-subscriber policies, deadlines, futex wake-ups, the
// poll descriptor, a memfd passed over SCM_RIGHTS, the layout check at
// attach, dead peers, re-attach, and no allocation after creation.

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/internal/segment.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/socket/fd_passing.h"
#include "ipcbox/socket/socket_pair.h"
#include "tests/channel/channel_test_util.h"
#include "tests/support/alloc_counter.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injection.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChannelNameGuard;
using ::ipcbox::testing::CheckSample;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::FillSample;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::SampleLength;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

// Publishes sample `seq` (checksummed, varying length) by `deadline`.
absl::Status PublishOne(Publisher& publisher, uint64_t seq,
                        Deadline deadline = Deadline::Infinite()) {
  absl::StatusOr<absl::Span<char>> slot = publisher.Loan(deadline);
  if (!slot.ok()) return slot.status();
  const size_t length = SampleLength(seq, slot->size());
  FillSample(*slot, seq, length);
  return publisher.Publish(length);
}

bool WaitForSubscribers(const Publisher& publisher, uint32_t n,
                        absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time end = absl::Now() + timeout;
  while (publisher.AttachedSubscribers() != n) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Receives `count` samples and checks that they come in order, whole.
int ReceiveInOrder(const PosixName& name, uint64_t count,
                   const WaitOptions& waiting = {}) {
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(name, waiting);
  if (!subscriber.ok()) {
    ADD_FAILURE() << subscriber.status();
    return 1;
  }
  for (uint64_t expected = 0; expected < count; ++expected) {
    absl::StatusOr<Sample> sample =
        subscriber->Receive(Deadline::After(absl::Seconds(20)));
    if (!sample.ok()) {
      ADD_FAILURE() << "sample " << expected << ": " << sample.status();
      return 2;
    }
    uint64_t seq = 0;
    if (!CheckSample(sample->data(), &seq) || seq != expected ||
        sample->sequence() != expected) {
      ADD_FAILURE() << "sample " << expected << " is torn or out of order ("
                    << seq << ", " << sample->sequence() << ")";
      return 3;
    }
  }
  EXPECT_EQ(subscriber->missed(), 0u);
  return 0;
}

TEST(ChannelTest, CreateRejectsOptionsOutsideTheLimits) {
  ChannelNameGuard guard("channel_limits");
  for (ChannelOptions options :
       {ChannelOptions{1, 1, 64}, ChannelOptions{8, 0, 64},
        ChannelOptions{8, 17, 64}, ChannelOptions{8, 1, 0},
        ChannelOptions{8, 1, (1u << 28) + 1}, ChannelOptions{70000, 1, 64},
        ChannelOptions{65536, 1, 1u << 20}}) {
    absl::StatusOr<Publisher> publisher =
        Publisher::Create(guard.name(), options);
    EXPECT_EQ(publisher.status().code(), absl::StatusCode::kInvalidArgument)
        << options.slot_count << " " << options.max_subscribers << " "
        << options.max_payload;
  }
}

TEST(ChannelTest, SpscDeliversEverySampleInOrder) {
  ChannelNameGuard guard("channel_spsc");
  constexpr uint64_t kCount = 5000;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{8, 1, 512});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<testing::ChildProcess> child =
      ForkChild([&] { return ReceiveInOrder(guard.name(), kCount); });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(WaitForSubscribers(*publisher, 1));
  for (uint64_t seq = 0; seq < kCount; ++seq) {
    ASSERT_TRUE(
        PublishOne(*publisher, seq, Deadline::After(absl::Seconds(20))).ok());
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(ChannelTest, FanOutDeliversEverySampleToEverySubscriber) {
  ChannelNameGuard guard("channel_fanout");
  constexpr uint64_t kCount = 3000;
  constexpr int kSubscribers = 3;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 4, 2048});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  std::vector<testing::ChildProcess> children;
  for (int i = 0; i < kSubscribers; ++i) {
    WaitOptions waiting;
    waiting.spin = i == 0 ? 0 : 100;  // one always sleeps
    absl::StatusOr<testing::ChildProcess> child = ForkChild(
        [&] { return ReceiveInOrder(guard.name(), kCount, waiting); });
    ASSERT_TRUE(child.ok()) << child.status();
    children.push_back(*std::move(child));
  }
  ASSERT_TRUE(WaitForSubscribers(*publisher, kSubscribers));
  for (uint64_t seq = 0; seq < kCount; ++seq) {
    ASSERT_TRUE(
        PublishOne(*publisher, seq, Deadline::After(absl::Seconds(20))).ok());
  }
  for (testing::ChildProcess& child : children) {
    EXPECT_TRUE(ExitedWith(child.Wait(kChildTimeout), 0));
  }
}

TEST(ChannelTest, BlockPolicyMakesThePublisherWaitUntilItsDeadline) {
  ChannelNameGuard guard("channel_block");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 2, 64});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  for (uint64_t seq = 0; seq < 4; ++seq) {
    ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok());
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<absl::Span<char>> slot =
      publisher->Loan(Deadline::After(absl::Milliseconds(50)));
  EXPECT_TRUE(IsTimedOut(slot.status())) << slot.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  // One read frees one slot.
  {
    absl::StatusOr<Sample> sample = subscriber->TryReceive();
    ASSERT_TRUE(sample.ok()) << sample.status();
    EXPECT_EQ(sample->sequence(), 0u);
  }
  EXPECT_TRUE(PublishOne(*publisher, 4, Deadline::Expired()).ok());
  EXPECT_TRUE(IsTimedOut(publisher->Loan(Deadline::Expired()).status()));
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    absl::StatusOr<Sample> sample = subscriber->TryReceive();
    ASSERT_TRUE(sample.ok()) << sample.status();
    uint64_t got = 0;
    EXPECT_TRUE(CheckSample(sample->data(), &got));
    EXPECT_EQ(got, seq);
  }
  EXPECT_EQ(subscriber->missed(), 0u);
}

TEST(ChannelTest, BlockPolicyPublisherWakesWhenASubscriberReads) {
  ChannelNameGuard guard("channel_block_wake");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{2, 1, 64});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
    if (!subscriber.ok()) return 1;
    absl::SleepFor(absl::Milliseconds(200));  // the publisher fills up
    for (uint64_t seq = 0; seq < 200; ++seq) {
      absl::StatusOr<Sample> sample =
          subscriber->Receive(Deadline::After(absl::Seconds(20)));
      if (!sample.ok() || sample->sequence() != seq) return 2;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(WaitForSubscribers(*publisher, 1));
  WaitOptions unused;
  for (uint64_t seq = 0; seq < 200; ++seq) {
    ASSERT_TRUE(
        PublishOne(*publisher, seq, Deadline::After(absl::Seconds(20))).ok())
        << seq;
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(ChannelTest, DropOldestSkipsAheadAndCountsWhatWasMissed) {
  ChannelNameGuard guard("channel_drop");
  ChannelOptions options{4, 2, 128};
  options.policy = SlowSubscriberPolicy::kDropOldest;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  // The publisher never waits for the idle subscriber.
  for (uint64_t seq = 0; seq < 12; ++seq) {
    ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok()) << seq;
  }
  for (uint64_t seq = 8; seq < 12; ++seq) {
    absl::StatusOr<Sample> sample = subscriber->TryReceive();
    ASSERT_TRUE(sample.ok()) << sample.status();
    uint64_t got = 0;
    EXPECT_TRUE(CheckSample(sample->data(), &got));
    EXPECT_EQ(got, seq);
    EXPECT_EQ(sample->sequence(), seq);
  }
  EXPECT_EQ(subscriber->missed(), 8u);
  EXPECT_TRUE(IsWouldBlock(subscriber->TryReceive().status()));
}

TEST(ChannelTest, DropOldestNeverRewritesAHeldSlot) {
  ChannelNameGuard guard("channel_held");
  ChannelOptions options{4, 1, 256};
  options.policy = SlowSubscriberPolicy::kDropOldest;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok());
  ASSERT_TRUE(PublishOne(*publisher, 0).ok());
  absl::StatusOr<Sample> held = subscriber->TryReceive();
  ASSERT_TRUE(held.ok()) << held.status();
  std::vector<char> copy(held->data().begin(), held->data().end());
  for (uint64_t seq = 1; seq < 100; ++seq) {
    ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok()) << seq;
  }
  uint64_t got = 99;
  EXPECT_TRUE(CheckSample(held->data(), &got));
  EXPECT_EQ(got, 0u);
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), held->data().begin()));
  // With all other slots held too, the publisher has none to loan.
  std::vector<Sample> all;
  for (;;) {
    absl::StatusOr<Sample> sample = subscriber->TryReceive();
    if (!sample.ok()) break;
    all.push_back(*std::move(sample));
  }
  EXPECT_EQ(all.size(), 3u);  // the three slots not held before
  EXPECT_TRUE(IsTimedOut(publisher->Loan(Deadline::Expired()).status()));
  all.clear();
  EXPECT_TRUE(publisher->Loan(Deadline::Expired()).ok());
}

TEST(ChannelTest, ReceiveWaitsUntilItsDeadline) {
  ChannelNameGuard guard("channel_deadline");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
  ASSERT_TRUE(publisher.ok());
  WaitOptions waiting;
  waiting.spin = 10;
  absl::StatusOr<Subscriber> subscriber =
      Subscriber::Attach(guard.name(), waiting);
  ASSERT_TRUE(subscriber.ok());
  EXPECT_TRUE(IsWouldBlock(subscriber->TryReceive().status()));
  const absl::Time start = absl::Now();
  EXPECT_TRUE(IsTimedOut(
      subscriber->Receive(Deadline::After(absl::Milliseconds(80))).status()));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(80));
  EXPECT_TRUE(IsTimedOut(subscriber->Receive(Deadline::Expired()).status()));
}

// Two channels, ping and pong, with waiters that never spin and a
// liveness interval longer than the test: every wake-up must come from
// the futex, and one lost wake-up fails a 10 s Receive.
// Thread CPU time (user + system) in microseconds.
int64_t ThreadCpuMicros() {
  struct rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return (int64_t{usage.ru_utime.tv_sec} + usage.ru_stime.tv_sec) * 1000000 +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

// An idle subscriber sleeps in the kernel: a second of Receive() with
// nothing published costs a few liveness wake-ups, not a second of CPU (as
// it would with a spin that never ends: spin = 4e9 makes this fail).
TEST(ChannelTest, AnIdleSubscriberBurnsNoCpu) {
  ChannelNameGuard guard("channel_idle");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<Subscriber> subscriber =
      Subscriber::Attach(guard.name(), WaitOptions{});
  ASSERT_TRUE(subscriber.ok());
  const int64_t before = ThreadCpuMicros();
  EXPECT_TRUE(IsTimedOut(
      subscriber->Receive(Deadline::After(absl::Seconds(1))).status()));
  const int64_t used = ThreadCpuMicros() - before;
  EXPECT_LT(used, 250000) << "microseconds of CPU for a 1 s idle wait";
}

TEST(ChannelTest, FutexWakeUpsAreNeverLost) {
  ChannelNameGuard ping("channel_ping");
  ChannelNameGuard pong("channel_pong");
  constexpr uint64_t kRounds = 1000;
  WaitOptions sleepy;
  sleepy.spin = 0;
  sleepy.liveness_interval = absl::Seconds(100);
  absl::StatusOr<Publisher> ping_publisher =
      Publisher::Create(ping.name(), ChannelOptions{2, 1, 64}, sleepy);
  ASSERT_TRUE(ping_publisher.ok());
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Subscriber> in = Subscriber::Attach(ping.name(), sleepy);
    absl::StatusOr<Publisher> out =
        Publisher::Create(pong.name(), ChannelOptions{2, 1, 64}, sleepy);
    if (!in.ok() || !out.ok()) return 1;
    out->Disown();  // the parent's guard removes it
    for (uint64_t i = 0; i < kRounds; ++i) {
      absl::StatusOr<Sample> sample =
          in->Receive(Deadline::After(absl::Seconds(10)));
      if (!sample.ok() || sample->sequence() != i) return 2;
      sample->Reset();
      if (!PublishOne(*out, i, Deadline::After(absl::Seconds(10))).ok()) {
        return 3;
      }
    }
    return 0;
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(WaitForSubscribers(*ping_publisher, 1));
  absl::StatusOr<Subscriber> in;
  const absl::Time end = absl::Now() + absl::Seconds(30);
  do {
    in = Subscriber::Attach(pong.name(), sleepy);
  } while (!in.ok() && absl::Now() < end);
  ASSERT_TRUE(in.ok()) << in.status();
  for (uint64_t i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(
        PublishOne(*ping_publisher, i, Deadline::After(absl::Seconds(10)))
            .ok());
    absl::StatusOr<Sample> sample =
        in->Receive(Deadline::After(absl::Seconds(10)));
    ASSERT_TRUE(sample.ok()) << "round " << i << ": " << sample.status();
    ASSERT_EQ(sample->sequence(), i);
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// The publish path's only system call is the futex wake, made only when a
// subscriber sleeps: counted through the syscall(2) wrapper.
TEST(ChannelTest, PublisherMakesNoSystemCallWhenNobodySleeps) {
  ChannelNameGuard guard("channel_nosyscall");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 2, 64});
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<Subscriber> poller = Subscriber::Attach(guard.name());
  ASSERT_TRUE(poller.ok());
  {
    testing::Fault fault;
    fault.error = EINTR;  // a failed wake is harmless; the count is what
    fault.count = -1;     // matters
    fault.syscall_number = SYS_futex;
    testing::ScopedFault futex_calls(testing::Syscall::kSyscall, fault);
    for (uint64_t seq = 0; seq < 500; ++seq) {
      ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok());
      ASSERT_TRUE(poller->TryReceive().ok());
    }
    EXPECT_EQ(futex_calls.injected(), 0);
  }
  // With a sleeper, the same publish makes the call: the count can fail.
  // The sleeper keeps receiving until an empty sample says stop: a publish
  // that came before it first went to sleep (slow under qemu) makes no
  // call, and a sleeper that left after it would leave nobody to wake.
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    WaitOptions sleepy;
    sleepy.spin = 0;
    absl::StatusOr<Subscriber> sleeper =
        Subscriber::Attach(guard.name(), sleepy);
    if (!sleeper.ok()) return 1;
    for (;;) {
      absl::StatusOr<Sample> sample =
          sleeper->Receive(Deadline::After(absl::Seconds(20)));
      if (!sample.ok()) return 2;
      if (sample->data().empty()) return 0;
    }
  });
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(WaitForSubscribers(*publisher, 2));
  testing::Fault fault;
  fault.error = EINTR;
  fault.count = -1;
  fault.syscall_number = SYS_futex;
  int64_t calls = 0;
  {
    testing::ScopedFault futex_calls(testing::Syscall::kSyscall, fault);
    const absl::Time end = absl::Now() + absl::Seconds(20);
    for (uint64_t seq = 500; calls == 0 && absl::Now() < end; ++seq) {
      absl::SleepFor(absl::Milliseconds(20));
      ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok());
      while (poller->TryReceive().ok()) {
      }
      calls = futex_calls.injected();
    }
  }
  EXPECT_GT(calls, 0);
  ASSERT_TRUE(publisher->Loan(Deadline::After(absl::Seconds(10))).ok());
  ASSERT_TRUE(publisher->Publish(0).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST(ChannelTest, NotificationFdWorksWithPollAndEpoll) {
  ChannelNameGuard guard("channel_poll");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok());
  absl::StatusOr<int> fd = subscriber->NotificationFd();
  ASSERT_TRUE(fd.ok()) << fd.status();
  struct pollfd pfd = {*fd, POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 50), 0);  // nothing yet

  // Published while this thread is blocked in poll.
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(100));
    EXPECT_TRUE(PublishOne(*publisher, 0).ok());
  });
  const int polled = ::poll(&pfd, 1, 20000);
  later.join();
  ASSERT_EQ(polled, 1);
  EXPECT_TRUE(pfd.revents & POLLIN);
  uint64_t counter = 0;
  ASSERT_EQ(::read(*fd, &counter, sizeof(counter)), 8);
  absl::StatusOr<Sample> sample = subscriber->TryReceive();
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(sample->sequence(), 0u);
  sample->Reset();

  Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
  ASSERT_TRUE(epoll.valid());
  struct epoll_event event = {};
  event.events = EPOLLIN;
  ASSERT_EQ(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, *fd, &event), 0);
  struct epoll_event ready[1];
  EXPECT_EQ(::epoll_wait(epoll.get(), ready, 1, 50), 0);
  ASSERT_TRUE(PublishOne(*publisher, 1).ok());
  ASSERT_EQ(::epoll_wait(epoll.get(), ready, 1, 20000), 1);
  ASSERT_EQ(::read(*fd, &counter, sizeof(counter)), 8);
  absl::StatusOr<Sample> second = subscriber->TryReceive();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sequence(), 1u);
}

TEST(ChannelTest, NotificationFdSignalsThePublisherLeaving) {
  ChannelNameGuard guard("channel_poll_gone");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
  ASSERT_TRUE(publisher.ok());
  publisher->Disown();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok());
  absl::StatusOr<int> fd = subscriber->NotificationFd();
  ASSERT_TRUE(fd.ok());
  *publisher = Publisher::CreateAnonymous(ChannelOptions{2, 1, 8}).value();
  struct pollfd pfd = {*fd, POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 20000), 1);
  EXPECT_TRUE(IsPublisherGone(subscriber->CheckPublisher()));
}

TEST(ChannelTest, MemfdChannelPassedOverScmRights) {
  absl::StatusOr<Publisher> publisher =
      Publisher::CreateAnonymous(ChannelOptions{4, 2, 1024});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  // Sealed: nobody can shrink it under the subscribers.
  EXPECT_NE(::ftruncate(publisher->fd(), 64), 0);
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok());
  constexpr uint64_t kCount = 1000;
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    char byte;
    std::array<Fd, 1> fds;
    absl::StatusOr<ReceivedFds> got =
        ReceiveWithFds(pair->second, absl::MakeSpan(&byte, 1),
                       absl::MakeSpan(fds), Deadline::After(absl::Seconds(20)));
    if (!got.ok() || got->fd_count != 1) return 1;
    absl::StatusOr<Subscriber> subscriber = Subscriber::AttachFd(fds[0].get());
    if (!subscriber.ok()) return 2;
    char ready = 'R';
    if (::write(pair->second.fd().get(), &ready, 1) != 1) return 3;
    for (uint64_t expected = 0; expected < kCount; ++expected) {
      absl::StatusOr<Sample> sample =
          subscriber->Receive(Deadline::After(absl::Seconds(20)));
      uint64_t seq = 0;
      if (!sample.ok() || !CheckSample(sample->data(), &seq) ||
          seq != expected) {
        return 4;
      }
    }
    return 0;
  });
  ASSERT_TRUE(child.ok());
  const int fds[] = {publisher->fd()};
  ASSERT_TRUE(SendWithFds(pair->first, "F", fds).ok());
  char ready = 0;
  ASSERT_EQ(::read(pair->first.fd().get(), &ready, 1), 1);
  for (uint64_t seq = 0; seq < kCount; ++seq) {
    ASSERT_TRUE(
        PublishOne(*publisher, seq, Deadline::After(absl::Seconds(20))).ok());
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// Writes `value` at `offset` of the channel's shm object.
void Poke(const PosixName& name, size_t offset, uint32_t value) {
  Fd fd(::shm_open(name.c_str(), O_RDWR, 0));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(::pwrite(fd.get(), &value, sizeof(value), offset), 4);
}

TEST(ChannelTest, AttachChecksMagicVersionAndLayout) {
  using channel_internal::ControlBlock;
  ChannelNameGuard guard("channel_layout");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 100});
  ASSERT_TRUE(publisher.ok());
  struct Case {
    size_t offset;
    uint32_t bad;
    const char* what;
  };
  for (const Case& c : {
           Case{offsetof(ControlBlock, magic), 0x12345678, "magic"},
           Case{offsetof(ControlBlock, version), 2, "version"},
           Case{offsetof(ControlBlock, slot_header_size), 32, "record"},
           Case{offsetof(ControlBlock, slot_count), 1u << 20, "slots"},
           Case{offsetof(ControlBlock, max_subscribers), 99, "subscribers"},
           Case{offsetof(ControlBlock, slot_stride), 100, "stride"},
           Case{offsetof(ControlBlock, payload_offset), 0, "offset"},
           Case{offsetof(ControlBlock, policy), 7, "policy"},
       }) {
    uint32_t saved = 0;
    {
      Fd fd(::shm_open(guard.name().c_str(), O_RDONLY, 0));
      ASSERT_EQ(::pread(fd.get(), &saved, 4, c.offset), 4);
    }
    Poke(guard.name(), c.offset, c.bad);
    EXPECT_EQ(Subscriber::Attach(guard.name()).status().code(),
              absl::StatusCode::kFailedPrecondition)
        << c.what;
    Poke(guard.name(), c.offset, saved);
    EXPECT_TRUE(Subscriber::Attach(guard.name()).ok()) << c.what;
  }
  // An object nobody initialised yet.
  ChannelNameGuard blank("channel_blank");
  {
    Fd fd(::shm_open(blank.name().c_str(), O_RDWR | O_CREAT | O_EXCL, 0600));
    ASSERT_EQ(::ftruncate(fd.get(), 4096), 0);
  }
  EXPECT_EQ(Subscriber::Attach(blank.name()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(ChannelTest, SubscriberPlacesRunOutAndComeBack) {
  ChannelNameGuard guard("channel_places");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 2, 64});
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<Subscriber> a = Subscriber::Attach(guard.name());
  absl::StatusOr<Subscriber> b = Subscriber::Attach(guard.name());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Subscriber::Attach(guard.name()).status().code(),
            absl::StatusCode::kResourceExhausted);
  *a = std::move(*b);  // frees a's place
  EXPECT_TRUE(Subscriber::Attach(guard.name()).ok());
  EXPECT_EQ(Publisher::Attach(guard.name()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// A subscriber that attaches the moment a new channel appears sees its
// publisher there: the creator holds the publisher lock before the segment
// is announced. Checked on a segment just created and not yet handed to a
// Publisher, the state a subscriber could meet before (and then see
// "publisher gone"; the mixed-architecture test did, under load).
TEST(ChannelTest, ANewChannelNeverLooksPublisherless) {
  ChannelNameGuard guard("channel_fresh");
  channel_internal::Geometry geometry;
  ASSERT_TRUE(channel_internal::ComputeGeometry(2, 1, 8, geometry));
  absl::StatusOr<channel_internal::Segment> created =
      channel_internal::Segment::CreateNamed(
          guard.name(), geometry, channel_internal::kPolicyDropOldest,
          Permissions::OwnerOnly());
  ASSERT_TRUE(created.ok()) << created.status();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  EXPECT_TRUE(subscriber->CheckPublisher().ok());
  EXPECT_FALSE(IsPublisherGone(
      subscriber->Receive(Deadline::After(absl::Milliseconds(300))).status()));
}

TEST(ChannelTest, SubscribersLearnThePublisherClosed) {
  ChannelNameGuard guard("channel_closed");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
  ASSERT_TRUE(publisher.ok());
  publisher->Disown();
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok());
  ASSERT_TRUE(PublishOne(*publisher, 0).ok());
  EXPECT_TRUE(subscriber->CheckPublisher().ok());
  *publisher = Publisher::CreateAnonymous(ChannelOptions{2, 1, 8}).value();
  // What was published before is still read first.
  absl::StatusOr<Sample> sample =
      subscriber->Receive(Deadline::After(absl::Seconds(10)));
  ASSERT_TRUE(sample.ok()) << sample.status();
  sample->Reset();
  absl::StatusOr<Sample> gone =
      subscriber->Receive(Deadline::After(absl::Seconds(10)));
  EXPECT_TRUE(IsPublisherGone(gone.status())) << gone.status();
  // A new publisher continues the sequence.
  absl::StatusOr<Publisher> again = Publisher::Attach(guard.name());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->published(), 1u);
  ASSERT_TRUE(PublishOne(*again, 1).ok());
  absl::StatusOr<Sample> next = subscriber->TryReceive();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->sequence(), 1u);
  uint64_t seq = 0;
  EXPECT_TRUE(CheckSample(next->data(), &seq));
  EXPECT_EQ(seq, 1u);
}

TEST(ChannelTest, SubscribersLearnThePublisherWasKilled) {
  ChannelNameGuard guard("channel_killed");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  Fd ready_read(ready[0]), ready_write(ready[1]);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Publisher> publisher =
        Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
    if (!publisher.ok()) return 1;
    publisher->Disown();
    if (::write(ready_write.get(), "R", 1) != 1) return 2;
    ::pause();
    return 0;
  });
  ASSERT_TRUE(child.ok());
  ready_write.reset();
  char byte;
  ASSERT_EQ(::read(ready_read.get(), &byte, 1), 1);
  WaitOptions waiting;
  waiting.liveness_interval = absl::Milliseconds(20);
  absl::StatusOr<Subscriber> subscriber =
      Subscriber::Attach(guard.name(), waiting);
  ASSERT_TRUE(subscriber.ok());
  EXPECT_TRUE(IsTimedOut(
      subscriber->Receive(Deadline::After(absl::Milliseconds(100))).status()));
  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  child->Wait(kChildTimeout);
  absl::StatusOr<Sample> gone =
      subscriber->Receive(Deadline::After(absl::Seconds(20)));
  EXPECT_TRUE(IsPublisherGone(gone.status())) << gone.status();
}

// A publisher's child made with fork() (no exec) inherits its descriptors
// and mapping; it must not keep the publisher's liveness lock, or a killed
// publisher would look alive for as long as the child runs. Named and
// anonymous channels; the child here outlives the publisher by far.
void ExpectForkedChildDoesNotKeepPublisherAlive(bool anonymous) {
  SCOPED_TRACE(anonymous ? "anonymous" : "named");
  ChannelNameGuard guard("channel_forked");
  // The grandchild is reparented to us when its parent dies, and we reap
  // it; where we cannot be a subreaper (qemu-user), whoever reaps orphans
  // does, after we kill it.
  const bool reaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  Fd ready_read(ready[0]), ready_write(ready[1]);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Publisher> publisher =
        anonymous ? Publisher::CreateAnonymous(ChannelOptions{4, 1, 64})
                  : Publisher::Create(guard.name(), ChannelOptions{4, 1, 64});
    if (!publisher.ok()) return 1;
    publisher->Disown();
    const pid_t grandchild = ::fork();
    if (grandchild < 0) return 2;
    if (grandchild == 0) {
      ::alarm(60);  // bounded, should the test not kill it
      ::pause();
      ::_exit(0);
    }
    const int32_t message[2] = {grandchild, publisher->fd()};
    if (::write(ready_write.get(), message, sizeof(message)) !=
        sizeof(message)) {
      return 3;
    }
    ::pause();
    return 0;
  });
  ASSERT_TRUE(child.ok());
  ready_write.reset();
  int32_t message[2] = {-1, -1};
  ASSERT_EQ(::read(ready_read.get(), message, sizeof(message)),
            static_cast<ssize_t>(sizeof(message)));
  const pid_t grandchild = message[0];
  WaitOptions waiting;
  waiting.liveness_interval = absl::Milliseconds(20);
  absl::StatusOr<Subscriber> subscriber;
  if (anonymous) {
    char path[64];
    std::snprintf(path, sizeof(path), "/proc/%d/fd/%d",
                  static_cast<int>(child->pid()), message[1]);
    Fd fd(::open(path, O_RDWR | O_CLOEXEC));
    ASSERT_GE(fd.get(), 0) << path;
    subscriber = Subscriber::AttachFd(fd.get(), waiting);
  } else {
    subscriber = Subscriber::Attach(guard.name(), waiting);
  }
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  EXPECT_TRUE(IsTimedOut(
      subscriber->Receive(Deadline::After(absl::Milliseconds(100))).status()));
  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  child->Wait(kChildTimeout);
  absl::StatusOr<Sample> gone =
      subscriber->Receive(Deadline::After(absl::Seconds(5)));
  // The grandchild still runs, holding what it inherited.
  EXPECT_EQ(::kill(grandchild, 0), 0);
  EXPECT_TRUE(IsPublisherGone(gone.status())) << gone.status();
  ::kill(grandchild, SIGKILL);
  if (reaper) {
    int status = 0;
    ::waitpid(grandchild, &status, 0);
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  }
}

TEST(ChannelTest, AForkedChildDoesNotKeepAKilledPublisherAlive) {
  ExpectForkedChildDoesNotKeepPublisherAlive(/*anonymous=*/false);
  ExpectForkedChildDoesNotKeepPublisherAlive(/*anonymous=*/true);
}

TEST(ChannelTest, SlotsOfAKilledSubscriberAreReclaimed) {
  ChannelNameGuard guard("channel_reclaim");
  WaitOptions waiting;
  waiting.liveness_interval = absl::Milliseconds(20);
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 1, 64}, waiting);
  ASSERT_TRUE(publisher.ok());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  Fd ready_read(ready[0]), ready_write(ready[1]);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
    if (!subscriber.ok()) return 1;
    if (::write(ready_write.get(), "R", 1) != 1) return 2;
    std::vector<Sample> held;  // holds two slots, reads no more
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<Sample> s =
          subscriber->Receive(Deadline::After(absl::Seconds(20)));
      if (!s.ok()) return 3;
      held.push_back(*std::move(s));
    }
    if (::write(ready_write.get(), "H", 1) != 1) return 4;
    ::pause();
    return 0;
  });
  ASSERT_TRUE(child.ok());
  char byte;
  ASSERT_EQ(::read(ready_read.get(), &byte, 1), 1);
  for (uint64_t seq = 0; seq < 4; ++seq) {
    ASSERT_TRUE(PublishOne(*publisher, seq, Deadline::Expired()).ok());
  }
  ASSERT_EQ(::read(ready_read.get(), &byte, 1), 1);
  // Full: two held, two unread by a live subscriber.
  EXPECT_TRUE(IsTimedOut(
      publisher->Loan(Deadline::After(absl::Milliseconds(50))).status()));
  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  child->Wait(kChildTimeout);
  // Loan reclaims the dead subscriber's place and slots by itself.
  for (uint64_t seq = 4; seq < 12; ++seq) {
    ASSERT_TRUE(
        PublishOne(*publisher, seq, Deadline::After(absl::Seconds(10))).ok())
        << seq;
  }
  EXPECT_EQ(publisher->AttachedSubscribers(), 0u);
  absl::StatusOr<Subscriber> again = Subscriber::Attach(guard.name());
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST(ChannelTest, NoAllocationAfterCreation) {
  ChannelNameGuard guard("channel_alloc");
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), ChannelOptions{4, 2, 256});
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok());
  testing::AllocationCounter counter;
  int failures = 0;
  for (uint64_t seq = 0; seq < 200; ++seq) {
    if (!PublishOne(*publisher, seq, Deadline::Expired()).ok()) ++failures;
    absl::StatusOr<Sample> sample = subscriber->Receive(Deadline::Expired());
    if (!sample.ok()) ++failures;
  }
  // The outcomes that are not data: would-block and timed out.
  if (!IsWouldBlock(subscriber->TryReceive().status())) ++failures;
  if (!IsTimedOut(subscriber->Receive(Deadline::After(absl::Milliseconds(5)))
                      .status())) {
    ++failures;
  }
  for (uint64_t seq = 200; seq < 204; ++seq) {
    if (!PublishOne(*publisher, seq, Deadline::Expired()).ok()) ++failures;
  }
  if (!IsTimedOut(publisher->Loan(Deadline::Expired()).status())) ++failures;
  counter.Stop();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(counter.count(), 0) << testing::AllocationCounter::Method();
}

TEST(ChannelTest, TheAllocationCounterSeesAnInjectedAllocation) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_ALLOCATIONS(ipcbox::testing::InjectTwoAllocations()),
      "made 2 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox
