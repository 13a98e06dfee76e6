// InspectChannel (channel_inspect.h): what it reports for live, departed
// and SIGKILLed participants, that looking takes no subscriber place, and
// that corrupt, foreign and truncated segments give statuses.

#include "ipcbox/channel/channel_inspect.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/fd.h"
#include "tests/channel/channel_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChannelNameGuard;
using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ForkChild;

Fd OpenReadOnly(const PosixName& name) {
  return Fd(::shm_open(name.c_str(), O_RDONLY | O_CLOEXEC, 0));
}

// Publishes `n` samples of 8 bytes.
void PublishN(Publisher& publisher, int n) {
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<absl::Span<char>> slot =
        publisher.Loan(Deadline::After(absl::Seconds(5)));
    ASSERT_TRUE(slot.ok()) << slot.status();
    std::memset(slot->data(), 'x', 8);
    ASSERT_TRUE(publisher.Publish(8).ok());
  }
}

// A child that attaches as a subscriber, says so through a pipe and waits
// to be killed (bounded: it exits after 30 s).
absl::StatusOr<ChildProcess> SubscriberChild(const PosixName& name) {
  int fds[2];
  if (::pipe(fds) != 0) return absl::InternalError("pipe");
  Fd read_end(fds[0]), write_end(fds[1]);
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Subscriber> s = Subscriber::Attach(name);
    if (!s.ok()) return 1;
    const char ready = 'r';
    if (::write(write_end.get(), &ready, 1) != 1) return 1;
    absl::SleepFor(absl::Seconds(30));
    return 0;
  });
  if (!child.ok()) return child;
  struct pollfd p = {read_end.get(), POLLIN, 0};
  char byte;
  if (::poll(&p, 1, 10000) != 1 || ::read(read_end.get(), &byte, 1) != 1) {
    return absl::DeadlineExceededError("subscriber child never attached");
  }
  return child;
}

TEST(InspectChannelTest, ReportsGeometryPublisherAndBacklogs) {
  ChannelNameGuard guard("inspect");
  ChannelOptions options;
  options.slot_count = 4;
  options.max_subscribers = 3;
  options.max_payload = 100;
  options.policy = SlowSubscriberPolicy::kDropOldest;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  absl::StatusOr<Subscriber> slow = Subscriber::Attach(guard.name());
  ASSERT_TRUE(slow.ok()) << slow.status();
  absl::StatusOr<Subscriber> fast = Subscriber::Attach(guard.name());
  ASSERT_TRUE(fast.ok()) << fast.status();
  PublishN(*publisher, 3);
  {
    absl::StatusOr<Sample> sample = fast->TryReceive();
    ASSERT_TRUE(sample.ok()) << sample.status();
  }

  Fd fd = OpenReadOnly(guard.name());
  ASSERT_TRUE(fd.valid());
  EXPECT_TRUE(LooksLikeChannel(fd.get()));
  absl::StatusOr<ChannelInfo> info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->slot_count, 4u);
  EXPECT_EQ(info->max_subscribers, 3u);
  EXPECT_EQ(info->max_payload, 100u);
  EXPECT_TRUE(info->drop_oldest);
  EXPECT_EQ(info->published, 3u);
  EXPECT_TRUE(info->publisher_alive);
  ASSERT_EQ(info->subscribers.size(), 3u);
  // Places are taken in order: slow is 0, fast is 1.
  EXPECT_EQ(slow->place(), 0u);
  EXPECT_TRUE(info->subscribers[0].alive);
  EXPECT_EQ(info->subscribers[0].backlog, 3u);
  EXPECT_EQ(info->subscribers[0].recorded_pid,
            static_cast<uint32_t>(::getpid()));
  EXPECT_TRUE(info->subscribers[1].alive);
  EXPECT_EQ(info->subscribers[1].backlog, 2u);
  EXPECT_FALSE(info->subscribers[2].alive);
  EXPECT_EQ(info->live_subscribers(), 2u);
  EXPECT_FALSE(info->abandoned());

  // Overrun the ring: the backlog is bounded by the slot count.
  PublishN(*publisher, 10);
  info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->published, 13u);
  EXPECT_EQ(info->subscribers[0].backlog, 4u);
}

TEST(InspectChannelTest, LookingTakesNoPlace) {
  ChannelNameGuard guard("inspect");
  ChannelOptions options;
  options.max_subscribers = 1;
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  Fd fd = OpenReadOnly(guard.name());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(InspectChannel(fd.get()).ok());
  // The one place is still free while the inspector's descriptor is open.
  absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(guard.name());
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  absl::StatusOr<ChannelInfo> info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->subscribers[0].alive);
}

TEST(InspectChannelTest, KilledParticipantsAreNotAlive) {
  ChannelNameGuard guard("inspect");
  std::optional<Publisher> publisher;
  {
    absl::StatusOr<Publisher> p = Publisher::Create(guard.name(), {});
    ASSERT_TRUE(p.ok()) << p.status();
    publisher.emplace(*std::move(p));
  }
  publisher->Disown();  // the guard removes it
  absl::StatusOr<ChildProcess> child = SubscriberChild(guard.name());
  ASSERT_TRUE(child.ok()) << child.status();
  Fd fd = OpenReadOnly(guard.name());
  absl::StatusOr<ChannelInfo> info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->subscribers[0].alive);
  EXPECT_EQ(info->subscribers[0].recorded_pid,
            static_cast<uint32_t>(child->pid()));

  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  child->Wait(absl::Seconds(10));
  info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->subscribers[0].alive);
  // The dead subscriber's record still says active: only the lock tells.
  EXPECT_TRUE(info->subscribers[0].active_flag);
  EXPECT_TRUE(info->publisher_alive);

  publisher.reset();
  info = InspectChannel(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->publisher_alive);
  EXPECT_TRUE(info->abandoned());
}

// Writes `value` at `offset` of the named segment.
void Poke(const PosixName& name, size_t offset, uint32_t value) {
  Fd fd(::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(::pwrite(fd.get(), &value, sizeof(value), offset),
            static_cast<ssize_t>(sizeof(value)));
}

TEST(InspectChannelTest, CorruptSegmentsGiveStatuses) {
  using channel_internal::ControlBlock;
  struct Case {
    size_t offset;
    uint32_t value;
  };
  const Case cases[] = {
      {offsetof(ControlBlock, version), 99},
      {offsetof(ControlBlock, slot_count), 0xffffffffu},
      {offsetof(ControlBlock, max_subscribers), 200},
      {offsetof(ControlBlock, max_subscribers), 0},
      {offsetof(ControlBlock, max_payload), 0x7fffffffu},
      {offsetof(ControlBlock, subscribers_offset), 1u << 30},
      {offsetof(ControlBlock, payload_offset), 12345},
      {offsetof(ControlBlock, policy), 7},
      {offsetof(ControlBlock, subscriber_state_size), 8},
  };
  for (const Case& c : cases) {
    ChannelNameGuard guard("inspect");
    absl::StatusOr<Publisher> publisher = Publisher::Create(guard.name(), {});
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    Poke(guard.name(), c.offset, c.value);
    Fd fd = OpenReadOnly(guard.name());
    EXPECT_TRUE(LooksLikeChannel(fd.get()));
    absl::StatusOr<ChannelInfo> info = InspectChannel(fd.get());
    EXPECT_EQ(info.status().code(), absl::StatusCode::kFailedPrecondition)
        << "offset " << c.offset << ": " << info.status();
  }
}

TEST(InspectChannelTest, ForeignShortAndTruncatedObjects) {
  ChannelNameGuard guard("inspect");
  Fd fd(::shm_open(guard.name().c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                   0600));
  ASSERT_TRUE(fd.valid());
  // Empty: not a channel, and not yet sized.
  EXPECT_FALSE(LooksLikeChannel(fd.get()));
  EXPECT_EQ(InspectChannel(fd.get()).status().code(),
            absl::StatusCode::kUnavailable);
  // Sized, all zero: a creator that has not finished.
  ASSERT_EQ(::ftruncate(fd.get(), 4096), 0);
  EXPECT_EQ(InspectChannel(fd.get()).status().code(),
            absl::StatusCode::kUnavailable);
  // Other bytes: bad magic.
  const char text[] = "hello, not a channel";
  ASSERT_EQ(::pwrite(fd.get(), text, sizeof(text), 0),
            static_cast<ssize_t>(sizeof(text)));
  EXPECT_FALSE(LooksLikeChannel(fd.get()));
  EXPECT_EQ(InspectChannel(fd.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // A real channel cut short after creation: reported, no SIGBUS.
  ChannelNameGuard cut("inspect");
  absl::StatusOr<Publisher> publisher = Publisher::Create(cut.name(), {});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  Fd cut_fd(::shm_open(cut.name().c_str(), O_RDWR | O_CLOEXEC, 0));
  ASSERT_EQ(::ftruncate(cut_fd.get(), 256), 0);
  absl::StatusOr<ChannelInfo> info = InspectChannel(cut_fd.get());
  EXPECT_EQ(info.status().code(), absl::StatusCode::kFailedPrecondition)
      << info.status();
}

}  // namespace
}  // namespace ipcbox
