#include "ipcbox/channel/subscriber.h"

#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/internal/segment.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {
namespace {

using channel_internal::ControlBlock;
using channel_internal::Geometry;
using channel_internal::kPublisherLockByte;
using channel_internal::kSubscriberLockByte;
using channel_internal::kWatcherShift;
using channel_internal::kWriterBit;
using channel_internal::Segment;
using channel_internal::SlotHeader;
using channel_internal::SubscriberState;

constexpr absl::string_view kPublisherGone = "the publisher is gone";

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Takes a hold on the slot for `bit`, unless the publisher is rewriting
// it. A bounded number of tries: a segment scribbled on concurrently must
// not keep us here.
bool Hold(uint32_t* holders, uint32_t bit) {
  // Guess "nobody holds it": the CAS then takes the line once, in exclusive
  // state, where a load first would fetch it twice (shared, then owned).
  uint32_t current = 0;
  for (int attempt = 0; attempt < 64; ++attempt) {
    if ((current & kWriterBit) != 0 || (current & bit) != 0) return false;
    if (channel_internal::CompareExchange(holders, current, current | bit)) {
      return true;
    }
  }
  return false;
}

void Unhold(ControlBlock* control, uint32_t* holders, uint32_t bit) {
  channel_internal::FetchAnd(holders, ~bit);
  channel_internal::WakePublisherIfWaiting(control);
}

}  // namespace

bool IsPublisherGone(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::EndsWith(status.message(), kPublisherGone);
}

// Sample

Sample::Sample(Sample&& other) noexcept { *this = std::move(other); }

Sample& Sample::operator=(Sample&& other) noexcept {
  if (this != &other) {
    Reset();
    control_ = std::exchange(other.control_, nullptr);
    holders_ = std::exchange(other.holders_, nullptr);
    bit_ = other.bit_;
    sequence_ = other.sequence_;
    data_ = std::exchange(other.data_, absl::Span<const char>());
  }
  return *this;
}

void Sample::Reset() {
  if (holders_ == nullptr) return;
  Unhold(control_, holders_, bit_);
  holders_ = nullptr;
  control_ = nullptr;
  data_ = absl::Span<const char>();
}

// The notification thread's state, on the heap so that it stays put when
// its Subscriber moves.
struct Subscriber::Watcher {
  ControlBlock* control = nullptr;
  // The segment's descriptor (its number survives the Subscriber's move),
  // for the liveness probe.
  int lock_fd = -1;
  uint32_t sleeper_bit = 0;
  int64_t interval_ns = 0;
  uint64_t start = 0;
  Fd event;
  std::atomic<bool> stop{false};
  std::thread thread;

  void Signal() {
    const uint64_t one = 1;
    // Never blocks: a full counter (2^64 - 2) is already readable.
    (void)!::write(event.get(), &one, sizeof(one));
  }

  void Run() {
    uint64_t signalled = start;
    bool gone_signalled = false;
    int64_t next_probe = NowNs() + interval_ns;
    while (!stop.load(std::memory_order_acquire)) {
      channel_internal::FetchOr(&control->sleepers, sleeper_bit);
      channel_internal::FenceSeqCst();
      const uint32_t word = channel_internal::LoadSeqCst(&control->data_word);
      const uint64_t head = channel_internal::LoadAcquire(&control->head);
      if (head != signalled) {
        channel_internal::FetchAnd(&control->sleepers, ~sleeper_bit);
        signalled = head;
        Signal();
        continue;
      }
      channel_internal::FutexWait(&control->data_word, word, interval_ns);
      channel_internal::FetchAnd(&control->sleepers, ~sleeper_bit);
      const int64_t now = NowNs();
      if (now >= next_probe ||
          channel_internal::LoadAcquire(&control->publisher_attached) == 0) {
        next_probe = now + interval_ns;
        const bool alive =
            channel_internal::ByteLockedByOther(lock_fd, kPublisherLockByte);
        if (!alive && !gone_signalled) Signal();
        gone_signalled = !alive;
      }
    }
  }
};

// Subscriber

Subscriber::Subscriber(Segment segment, uint32_t place,
                       const WaitOptions& waiting)
    : segment_(std::move(segment)), place_(place), waiting_(waiting) {}

Subscriber::Subscriber(Subscriber&& other) noexcept {
  *this = std::move(other);
}

Subscriber& Subscriber::operator=(Subscriber&& other) noexcept {
  if (this != &other) {
    Detach();
    // The watcher thread holds pointers into the mapping (which does not
    // move) and to its own heap state, never to the Subscriber.
    segment_ = std::move(other.segment_);
    place_ = other.place_;
    waiting_ = other.waiting_;
    cursor_ = other.cursor_;
    missed_ = other.missed_;
    watcher_ = std::move(other.watcher_);
  }
  return *this;
}

Subscriber::~Subscriber() { Detach(); }

size_t Subscriber::max_payload() const {
  return segment_.get().geometry().max_payload;
}

void Subscriber::Detach() {
  StopWatcher();
  if (segment_.get().control() == nullptr) return;  // moved from
  // Our place's lock is still ours: clean the place, then give it up.
  channel_internal::CleanSubscriberPlace(segment_.get(), place_);
  segment_.get().Unlock(kSubscriberLockByte + place_);
}

void Subscriber::StopWatcher() {
  if (watcher_ == nullptr) return;
  watcher_->stop.store(true, std::memory_order_release);
  // Wakes every sleeper of the channel once; they look and sleep again.
  channel_internal::FutexWakeAll(&watcher_->control->data_word);
  if (watcher_->thread.joinable()) watcher_->thread.join();
  watcher_.reset();
}

absl::StatusOr<Subscriber> Subscriber::Attach(const PosixName& name,
                                              const WaitOptions& waiting) {
  absl::StatusOr<Segment> segment = Segment::OpenNamed(name);
  if (!segment.ok()) return segment.status();
  return AttachSegment(*std::move(segment), waiting);
}

absl::StatusOr<Subscriber> Subscriber::AttachSegment(
    Segment segment_value, const WaitOptions& waiting) {
  Segment* segment = &segment_value;
  for (uint32_t i = 0; i < segment->geometry().max_subscribers; ++i) {
    absl::StatusOr<bool> locked = segment->TryLock(kSubscriberLockByte + i);
    if (!locked.ok()) return locked.status();
    if (!*locked) continue;
    // A place whose lock nobody holds: free, or left by a dead subscriber.
    channel_internal::CleanSubscriberPlace(*segment, i);
    Subscriber subscriber(std::move(*segment), i, waiting);
    ControlBlock* c = subscriber.segment_.get().control();
    SubscriberState* state = subscriber.segment_.get().subscriber(i);
    subscriber.cursor_ = channel_internal::LoadAcquire(&c->head);
    channel_internal::StoreRelease(&state->cursor, subscriber.cursor_);
    channel_internal::StoreRelaxed(&state->missed, uint64_t{0});
    channel_internal::StoreRelaxed(&state->pid,
                                   static_cast<uint32_t>(::getpid()));
    channel_internal::StoreSeqCst(&state->active, 1u);
    return subscriber;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      segment->description(), ": all ", segment->geometry().max_subscribers,
      " subscriber places are taken by live subscribers"));
}

absl::StatusOr<Subscriber> Subscriber::AttachFd(int fd,
                                                const WaitOptions& waiting) {
  absl::StatusOr<Segment> segment = Segment::OpenFd(fd);
  if (!segment.ok()) return segment.status();
  return AttachSegment(*std::move(segment), waiting);
}

void Subscriber::Advance(uint64_t cursor) {
  cursor_ = cursor;
  SubscriberState* state = segment_.get().subscriber(place_);
  channel_internal::StoreRelease(&state->cursor, cursor_);
  channel_internal::StoreRelaxed(&state->missed, missed_);
  // kBlockPublisher: the publisher may wait for this cursor.
  channel_internal::WakePublisherIfWaiting(segment_.get().control());
}

absl::StatusOr<Sample> Subscriber::TryReceive() {
  const Geometry& g = segment_.get().geometry();
  const uint32_t k = g.slot_count;
  const uint32_t bit = 1u << place_;
  ControlBlock* c = segment_.get().control();
  // Each pass either returns or skips one lost sample; a sample found lost
  // leaves at most k others to look at before the head.
  for (uint32_t pass = 0; pass <= k + 1; ++pass) {
    const uint64_t head = channel_internal::LoadAcquire(&c->head);
    uint64_t cursor = cursor_;
    if (head == cursor) return WouldBlockError();
    if (head < cursor) {
      // Only a corrupted segment (or a channel re-created under the same
      // name) moves the head back: start again from there.
      Advance(head);
      return absl::DataLossError(absl::StrCat(segment_.get().description(),
                                              ": the head moved back from ",
                                              cursor, " to ", head));
    }
    if (head - cursor > k) {
      // Everything before head - k was overwritten: skip it at once.
      missed_ += head - k - cursor;
      cursor = head - k;
    }
    // Fast path: the publisher claims slots from head % k on, so in steady
    // state sample `cursor` is in slot cursor % k. The stamp checked under
    // the hold proves it (or not); this skips the index entry, one shared
    // cache line less per sample.
    const uint32_t guess = static_cast<uint32_t>(cursor % k);
    SlotHeader* guessed = segment_.get().slot(guess);
    if (Hold(&guessed->holders, bit)) {
      if (channel_internal::LoadAcquire(&guessed->stamp) == cursor + 1) {
        const uint32_t length = channel_internal::LoadRelaxed(&guessed->length);
        if (length <= g.max_payload) {
          Advance(cursor + 1);
          return Sample(
              c, &guessed->holders, bit, cursor,
              absl::Span<const char>(segment_.get().payload(guess), length));
        }
      }
      // Not it (or a bad length, which the index path reports).
      Unhold(c, &guessed->holders, bit);
    }
    const uint32_t idx = channel_internal::LoadAcquire(
        segment_.get().index_entry(static_cast<uint32_t>(cursor % k)));
    if (idx >= k) {
      ++missed_;
      Advance(cursor + 1);
      return absl::DataLossError(absl::StrCat(segment_.get().description(),
                                              ": sample ", cursor,
                                              " names slot ", idx, " of ", k));
    }
    SlotHeader* slot = segment_.get().slot(idx);
    if (!Hold(&slot->holders, bit)) {
      // Being rewritten: the sample is gone.
      ++missed_;
      Advance(cursor + 1);
      continue;
    }
    // The hold's CAS acquired what the publisher released with the writer
    // bit: stamp, length and payload are those of one whole sample, and
    // stay so while we hold it.
    const uint64_t stamp = channel_internal::LoadAcquire(&slot->stamp);
    if (stamp != cursor + 1) {
      Unhold(c, &slot->holders, bit);
      ++missed_;
      Advance(cursor + 1);
      continue;
    }
    const uint32_t length = channel_internal::LoadRelaxed(&slot->length);
    if (length > g.max_payload) {
      Unhold(c, &slot->holders, bit);
      ++missed_;
      Advance(cursor + 1);
      return absl::DataLossError(absl::StrCat(
          segment_.get().description(), ": sample ", cursor, " claims ", length,
          " bytes in a slot of ", g.max_payload));
    }
    Advance(cursor + 1);
    return Sample(c, &slot->holders, bit, cursor,
                  absl::Span<const char>(segment_.get().payload(idx), length));
  }
  return WouldBlockError();
}

absl::StatusOr<Sample> Subscriber::Receive(Deadline deadline) {
  for (uint32_t spins = 0;; ++spins) {
    absl::StatusOr<Sample> sample = TryReceive();
    if (!IsWouldBlock(sample.status())) return sample;
    if (spins >= waiting_.spin) break;
    // A long spin still ends at the deadline (a clock read now and then).
    if ((spins & 1023) == 1023 && deadline.expired()) return TimedOutError();
    channel_internal::CpuRelax();
  }
  ControlBlock* c = segment_.get().control();
  const uint32_t sleeper = 1u << place_;
  const int64_t interval = absl::ToInt64Nanoseconds(waiting_.liveness_interval);
  int64_t next_probe = NowNs() + interval;
  for (;;) {
    // Announce the sleep, then look once more: a publish after this sees
    // the bit and wakes us; one before it, we see (README, waiting).
    channel_internal::FetchOr(&c->sleepers, sleeper);
    channel_internal::FenceSeqCst();
    const uint32_t word = channel_internal::LoadSeqCst(&c->data_word);
    absl::StatusOr<Sample> sample = TryReceive();
    if (!IsWouldBlock(sample.status())) {
      channel_internal::FetchAnd(&c->sleepers, ~sleeper);
      return sample;
    }
    if (deadline.expired()) {
      channel_internal::FetchAnd(&c->sleepers, ~sleeper);
      return TimedOutError();
    }
    int64_t wait = absl::ToInt64Nanoseconds(deadline.Remaining());
    if (wait > interval) wait = interval;
    channel_internal::FutexWait(&c->data_word, word, wait);
    channel_internal::FetchAnd(&c->sleepers, ~sleeper);
    const int64_t now = NowNs();
    if (now >= next_probe ||
        channel_internal::LoadAcquire(&c->publisher_attached) == 0) {
      next_probe = now + interval;
      absl::Status alive = CheckPublisher();
      if (!alive.ok()) {
        // Samples published before it went are still read first.
        absl::StatusOr<Sample> last = TryReceive();
        if (!IsWouldBlock(last.status())) return last;
        return alive;
      }
    }
  }
}

absl::Status Subscriber::PublisherGoneError() const {
  return absl::FailedPreconditionError(
      absl::StrCat(segment_.get().description(), ": ", kPublisherGone));
}

absl::Status Subscriber::CheckPublisher() const {
  absl::StatusOr<bool> locked =
      segment_.get().LockedByOther(kPublisherLockByte);
  if (!locked.ok()) return locked.status();
  if (!*locked) return PublisherGoneError();
  return absl::OkStatus();
}

absl::StatusOr<int> Subscriber::NotificationFd() {
  if (watcher_ != nullptr) return watcher_->event.get();
  const int raw = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (raw < 0)
    return ErrnoError(errno, "eventfd", segment_.get().description());
  auto watcher = std::make_unique<Watcher>();
  watcher->event = Fd(raw);
  watcher->control = segment_.get().control();
  watcher->sleeper_bit = 1u << (place_ + kWatcherShift);
  watcher->interval_ns = absl::ToInt64Nanoseconds(waiting_.liveness_interval);
  // Samples already waiting make the descriptor readable at once.
  watcher->start = cursor_;
  watcher->lock_fd = segment_.get().lock_fd();
  Watcher* w = watcher.get();
  watcher->thread = std::thread([w] { w->Run(); });
  watcher_ = std::move(watcher);
  return watcher_->event.get();
}

}  // namespace ipcbox
