// lib/channel under injected faults. Creating a channel (named or memfd)
// and attaching to one fail with an error naming the call when memfd_create,
// shm_open, ftruncate, posix_fallocate, fcntl (seals, OFD locks) or mmap
// fails, and leave no descriptor and no /dev/shm object behind; the one
// failure tolerated is EINVAL from F_ADD_SEALS (a kernel without seals).
// EINTR is retried (lib/core/retry.h: callers never see it), including
// posix_fallocate's, which tmpfs returns when a signal arrives during a
// large reservation. A subscriber asleep in Receive() treats futex EINTR and
// EAGAIN as "look again": a storm of them still ends with the sample, and
// an endless one with TimedOut at the deadline.

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "tests/fault/fault_test_util.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {
namespace {

const ChannelOptions kOptions{4, 2, 64};

struct Case {
  Syscall call;
  int error;
  int command;  // fcntl's command, or -1
  const char* named;
};

Fault FaultFor(const Case& c) {
  Fault f = FaultOn(-1, c.error, 1);
  f.command = c.command;
  return f;
}

PosixName FreshName() {
  absl::StatusOr<PosixName> name =
      PosixName::Create(UniqueName("channel_fault"));
  EXPECT_TRUE(name.ok()) << name.status();
  return *name;
}

class ChannelFaultTest : public ::testing::Test {
 protected:
  const LeakCheck leak_check_{"channel_fault"};
};

TEST_F(ChannelFaultTest, AnonymousCreationFailuresNameTheCall) {
  for (const Case& c : {
           Case{Syscall::kMemfdCreate, EMFILE, -1, "memfd_create"},
           Case{Syscall::kMemfdCreate, ENOMEM, -1, "memfd_create"},
           Case{Syscall::kFtruncate, EFBIG, -1, "ftruncate"},
           Case{Syscall::kFtruncate, EPERM, -1, "ftruncate"},
           Case{Syscall::kPosixFallocate, ENOSPC, -1, "posix_fallocate"},
           Case{Syscall::kPosixFallocate, EFBIG, -1, "posix_fallocate"},
           Case{Syscall::kFcntl, EPERM, F_ADD_SEALS, "F_ADD_SEALS"},
           Case{Syscall::kFcntl, EBUSY, F_ADD_SEALS, "F_ADD_SEALS"},
           Case{Syscall::kMmap, ENOMEM, -1, "mmap"},
           Case{Syscall::kMmap, EAGAIN, -1, "mmap"},
           Case{Syscall::kFcntl, ENOLCK, F_OFD_SETLK, "F_OFD_SETLK"},
       }) {
    ExpectFailureNaming(c.call, FaultFor(c), c.named,
                        [&] { return Publisher::CreateAnonymous(kOptions); });
  }
}

TEST_F(ChannelFaultTest, NamedCreationFailuresNameTheCallAndLeaveNoObject) {
  for (const Case& c : {
           Case{Syscall::kShmOpen, EMFILE, -1, "shm_open"},
           Case{Syscall::kShmOpen, ENOSPC, -1, "shm_open"},
           Case{Syscall::kPosixFallocate, ENOSPC, -1, "posix_fallocate"},
           Case{Syscall::kPosixFallocate, EIO, -1, "posix_fallocate"},
           Case{Syscall::kMmap, ENOMEM, -1, "mmap"},
           Case{Syscall::kFcntl, ENOLCK, F_OFD_SETLK, "F_OFD_SETLK"},
       }) {
    ExpectFailureNaming(c.call, FaultFor(c), c.named, [&] {
      return Publisher::Create(FreshName(), kOptions);
    });
  }
}

TEST_F(ChannelFaultTest, ToleratesAKernelWithoutSeals) {
  ScopedFault no_seals(Syscall::kFcntl, FaultFor(Case{Syscall::kFcntl, EINVAL,
                                                      F_ADD_SEALS, ""}));
  absl::StatusOr<Publisher> publisher = Publisher::CreateAnonymous(kOptions);
  EXPECT_TRUE(publisher.ok()) << publisher.status();
  EXPECT_EQ(no_seals.injected(), 1);
  Tally(no_seals);
}

TEST_F(ChannelFaultTest, EintrAtCreationAndAttachIsRetried) {
  for (bool named : {false, true}) {
    SCOPED_TRACE(named ? "named" : "memfd");
    const PosixName name = FreshName();
    std::optional<Publisher> publisher;
    {
      ScopedFault reserve(Syscall::kPosixFallocate, FaultOn(-1, EINTR, kStorm));
      Fault lock_storm = FaultOn(-1, EINTR, kStorm);
      lock_storm.command = F_OFD_SETLK;
      ScopedFault lock(Syscall::kFcntl, lock_storm);
      absl::StatusOr<Publisher> created =
          named ? Publisher::Create(name, kOptions)
                : Publisher::CreateAnonymous(kOptions);
      ASSERT_TRUE(created.ok()) << created.status();
      publisher.emplace(*std::move(created));
      EXPECT_EQ(reserve.injected(), kStorm);
      EXPECT_EQ(lock.injected(), kStorm);
      Tally(reserve);
      Tally(lock);
    }
    {
      Fault lock_storm = FaultOn(-1, EINTR, kStorm);
      lock_storm.command = F_OFD_SETLK;
      ScopedFault lock(Syscall::kFcntl, lock_storm);
      absl::StatusOr<Subscriber> subscriber =
          named ? Subscriber::Attach(name)
                : Subscriber::AttachFd(publisher->fd());
      ASSERT_TRUE(subscriber.ok()) << subscriber.status();
      EXPECT_EQ(lock.injected(), kStorm);
      Tally(lock);
      Fault probe_storm = FaultOn(-1, EINTR, kStorm);
      probe_storm.command = F_OFD_GETLK;
      ScopedFault probe(Syscall::kFcntl, probe_storm);
      EXPECT_TRUE(subscriber->CheckPublisher().ok());
      EXPECT_EQ(probe.injected(), kStorm);
      Tally(probe);
    }
  }
}

TEST_F(ChannelFaultTest, AttachFailuresNameTheCallAndTakeNoPlace) {
  const PosixName name = FreshName();
  absl::StatusOr<Publisher> publisher = Publisher::Create(name, kOptions);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  const int fds = OpenDescriptorCount();
  for (const Case& c : {
           Case{Syscall::kShmOpen, EMFILE, -1, "shm_open"},
           Case{Syscall::kShmOpen, EACCES, -1, "shm_open"},
           Case{Syscall::kMmap, ENOMEM, -1, "mmap"},
           Case{Syscall::kFcntl, ENOLCK, F_OFD_SETLK, "F_OFD_SETLK"},
       }) {
    SCOPED_TRACE(SyscallName(c.call));
    ExpectFailureNaming(c.call, FaultFor(c), c.named,
                        [&] { return Subscriber::Attach(name); });
    if (c.call != Syscall::kShmOpen) {
      ExpectFailureNaming(c.call, FaultFor(c), c.named, [&] {
        return Subscriber::AttachFd(publisher->fd());
      });
    }
    EXPECT_EQ(publisher->AttachedSubscribers(), 0u);
  }
  EXPECT_EQ(OpenDescriptorCount(), fds);
  // Both places are still free.
  absl::StatusOr<Subscriber> first = Subscriber::Attach(name);
  absl::StatusOr<Subscriber> second = Subscriber::Attach(name);
  EXPECT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(second.ok()) << second.status();
}

// --- futex in Receive ------------------------------------------------------

class ChannelReceiveFaultTest : public ChannelFaultTest {
 protected:
  void SetUp() override {
    ChannelFaultTest::SetUp();
    absl::StatusOr<Publisher> publisher = Publisher::CreateAnonymous(kOptions);
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    publisher_.emplace(*std::move(publisher));
    WaitOptions sleepy;
    sleepy.spin = 0;  // straight to the futex
    absl::StatusOr<Subscriber> subscriber =
        Subscriber::AttachFd(publisher_->fd(), sleepy);
    ASSERT_TRUE(subscriber.ok()) << subscriber.status();
    subscriber_.emplace(*std::move(subscriber));
  }
  void TearDown() override {
    subscriber_.reset();
    publisher_.reset();
    ChannelFaultTest::TearDown();
  }

  std::optional<Publisher> publisher_;
  std::optional<Subscriber> subscriber_;
};

TEST_F(ChannelReceiveFaultTest, FutexEintrAndEagainStormsEndWithTheSample) {
  for (int error : {EINTR, EAGAIN}) {
    SCOPED_TRACE(error);
    Fault f = FaultOn(-1, error, kStorm);
    f.syscall_number = SYS_futex;
    ScopedFault storm(Syscall::kSyscall, f);
    // Publishes once the subscriber has gone through the storm; bounded.
    std::thread publisher([&] {
      const absl::Time bound = absl::Now() + absl::Seconds(30);
      while (storm.injected() < kStorm && absl::Now() < bound) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      absl::StatusOr<absl::Span<char>> slot =
          publisher_->Loan(Deadline::After(absl::Seconds(10)));
      ASSERT_TRUE(slot.ok()) << slot.status();
      (*slot)[0] = 'x';
      EXPECT_TRUE(publisher_->Publish(1).ok());
    });
    absl::StatusOr<Sample> sample =
        subscriber_->Receive(Deadline::After(absl::Seconds(30)));
    publisher.join();
    ASSERT_TRUE(sample.ok()) << sample.status();
    EXPECT_EQ(sample->data().size(), 1u);
    EXPECT_EQ(storm.injected(), kStorm);
    Tally(storm);
  }
}

TEST_F(ChannelReceiveFaultTest, AnEndlessFutexStormEndsAtTheDeadline) {
  for (int error : {EINTR, EAGAIN, ENOSYS}) {
    SCOPED_TRACE(error);
    Fault f = FaultOn(-1, error, -1);
    f.syscall_number = SYS_futex;
    ScopedFault storm(Syscall::kSyscall, f);
    EXPECT_TRUE(
        IsTimedOut(subscriber_->Receive(Deadline::After(absl::Milliseconds(20)))
                       .status()));
    EXPECT_GE(storm.injected(), 1);
    Tally(storm);
  }
}

}  // namespace
}  // namespace ipcbox::testing
