// Random bytes over the shared control block (geometry, publisher and
// waiting lines, subscriber places, slot headers, index), again and again
// while a publisher and subscribers keep working: every call returns a
// status, none crashes, hangs or reads outside the segment. Run it under
// --config=asan as well. The seed is printed; IPCBOX_CHANNEL_SEED replays.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/publisher.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "tests/channel/channel_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChannelNameGuard;
using ::ipcbox::testing::FillSample;
using ::ipcbox::testing::ReplayableSeed;

// The test's own mapping of the channel, through which it scribbles.
struct Scribbler {
  char* base = nullptr;
  size_t control_bytes = 0;  // everything before the payload
  size_t size = 0;

  std::vector<char> pristine;  // the control bytes just after creation

  // Puts the geometry line back (so that attaching can work again), or
  // everything: a corruption that passed, as far as the bytes go.
  void Repair(bool everything) {
    const size_t n = everything ? control_bytes : channel_internal::kCacheLine;
    for (size_t i = 0; i < n; ++i) {
      __atomic_store_n(base + i, pristine[i], __ATOMIC_RELAXED);
    }
  }

  ~Scribbler() {
    if (base != nullptr) ::munmap(base, size);
  }

  // Values that are likely to hit edge cases more often than uniform ones.
  static uint32_t Nasty(std::mt19937_64& random) {
    switch (random() % 6) {
      case 0:
        return 0;
      case 1:
        return 0xffffffffu;
      case 2:
        return 0x80000000u;
      case 3:
        return static_cast<uint32_t>(random() % 20);
      case 4:
        return static_cast<uint32_t>(random() % 70000);
      default:
        return static_cast<uint32_t>(random());
    }
  }

  void Scribble(std::mt19937_64& random) {
    const int words = 1 + static_cast<int>(random() % 16);
    for (int i = 0; i < words; ++i) {
      const size_t offset = (random() % (control_bytes / 4)) * 4;
      const uint32_t value = Nasty(random);
      __atomic_store_n(reinterpret_cast<uint32_t*>(base + offset), value,
                       __ATOMIC_RELAXED);
    }
    if (random() % 8 == 0) {  // now and then a run of random bytes
      const size_t offset = random() % control_bytes;
      const size_t length =
          std::min<size_t>(control_bytes - offset, 1 + random() % 256);
      for (size_t i = 0; i < length; ++i) {
        __atomic_store_n(base + offset + i, static_cast<char>(random()),
                         __ATOMIC_RELAXED);
      }
    }
  }
};

class ChannelScribbleTest
    : public ::testing::TestWithParam<SlowSubscriberPolicy> {};

TEST_P(ChannelScribbleTest, RandomBytesGiveErrorsNeverCrashes) {
  const uint64_t seed = ReplayableSeed();
  std::mt19937_64 random(seed);
  ChannelNameGuard guard("channel_scribble");
  ChannelOptions options{8, 4, 256};
  options.policy = GetParam();
  WaitOptions waiting;
  waiting.spin = 10;
  waiting.liveness_interval = absl::Milliseconds(1);
  absl::StatusOr<Publisher> publisher =
      Publisher::Create(guard.name(), options, waiting);
  ASSERT_TRUE(publisher.ok()) << publisher.status();

  channel_internal::Geometry geometry;
  ASSERT_TRUE(channel_internal::ComputeGeometry(8, 4, 256, geometry));
  Scribbler scribbler;
  {
    Fd fd(::shm_open(guard.name().c_str(), O_RDWR, 0));
    ASSERT_TRUE(fd.valid());
    void* base = ::mmap(nullptr, geometry.total_size, PROT_READ | PROT_WRITE,
                        MAP_SHARED, fd.get(), 0);
    ASSERT_NE(base, MAP_FAILED);
    scribbler.base = static_cast<char*>(base);
    scribbler.size = geometry.total_size;
    scribbler.control_bytes = geometry.payload_offset;
    scribbler.pristine.assign(scribbler.base,
                              scribbler.base + scribbler.control_bytes);
  }
  std::vector<std::optional<Subscriber>> subscribers(3);
  std::vector<Sample> held;
  int samples = 0, errors = 0, attach_errors = 0;
  for (int round = 0; round < 3000; ++round) {
    if (random() % 6 == 0) scribbler.Scribble(random);
    if (random() % 40 == 0) scribbler.Repair(random() % 4 == 0);
    const size_t which = random() % subscribers.size();
    switch (random() % 10) {
      case 0:
      case 1: {
        absl::StatusOr<absl::Span<char>> slot =
            publisher->Loan(Deadline::Expired());
        if (!slot.ok()) {
          ++errors;
          break;
        }
        ASSERT_EQ(slot->size(), 256u);
        FillSample(*slot, round, 16 + random() % 240);
        if (random() % 8 == 0) {
          publisher->Abandon();
        } else if (!publisher->Publish(random() % 300).ok()) {
          ++errors;  // too long: the loan stays; give it back
          publisher->Abandon();
        }
        break;
      }
      case 2:
      case 3:
      case 4: {
        if (!subscribers[which].has_value()) break;
        absl::StatusOr<Sample> sample =
            random() % 4 == 0 ? subscribers[which]->Receive(
                                    Deadline::After(absl::Microseconds(200)))
                              : subscribers[which]->TryReceive();
        if (!sample.ok()) {
          ++errors;
          break;
        }
        ++samples;
        // The view is inside the slot it names, whatever the segment says.
        ASSERT_LE(sample->data().size(), 256u);
        volatile char sink = 0;
        for (char c : sample->data()) sink = sink + c;
        if (random() % 3 == 0) held.push_back(*std::move(sample));
        break;
      }
      case 5:
        held.clear();
        break;
      case 6: {
        // Drop the subscriber's samples first (they must not outlive it).
        held.clear();
        subscribers[which].reset();
        absl::StatusOr<Subscriber> s =
            Subscriber::Attach(guard.name(), waiting);
        if (s.ok()) {
          subscribers[which].emplace(*std::move(s));
        } else {
          ++attach_errors;
        }
        break;
      }
      case 7:
        (void)publisher->ReclaimDeadSubscribers();
        (void)publisher->AttachedSubscribers();
        break;
      case 8:
        if (subscribers[which].has_value()) {
          (void)subscribers[which]->CheckPublisher();
          (void)subscribers[which]->missed();
        }
        break;
      case 9: {
        // A publisher re-attaching to a scribbled segment.
        if (random() % 4 != 0) break;
        absl::StatusOr<Publisher> other =
            Publisher::Attach(guard.name(), waiting);
        EXPECT_FALSE(other.ok());  // ours holds the publisher lock
        break;
      }
    }
  }
  held.clear();
  std::printf("%d samples, %d errors, %d refused attaches\n", samples, errors,
              attach_errors);
  // The scribbler did reach the library: some calls failed, some worked.
  EXPECT_GT(samples, 0);
  EXPECT_GT(errors + attach_errors, 0);
}

INSTANTIATE_TEST_SUITE_P(
    BothPolicies, ChannelScribbleTest,
    ::testing::Values(SlowSubscriberPolicy::kBlockPublisher,
                      SlowSubscriberPolicy::kDropOldest));

}  // namespace
}  // namespace ipcbox
