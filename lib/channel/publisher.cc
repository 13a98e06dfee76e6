#include "ipcbox/channel/publisher.h"

#include <time.h>

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/internal/segment.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {
namespace {

using channel_internal::CleanSubscriberPlace;
using channel_internal::ComputeGeometry;
using channel_internal::ControlBlock;
using channel_internal::Geometry;
using channel_internal::kPublisherLockByte;
using channel_internal::kSubscriberLockByte;
using channel_internal::kWriterBit;
using channel_internal::Segment;
using channel_internal::SlotHeader;

absl::StatusOr<Geometry> GeometryOf(const ChannelOptions& options) {
  Geometry g;
  if (!ComputeGeometry(options.slot_count, options.max_subscribers,
                       options.max_payload, g)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "channel: ", options.slot_count, " slots of ", options.max_payload,
        " bytes for ", options.max_subscribers,
        " subscribers is outside the limits (2..65536 slots, 1..16 "
        "subscribers, 1 byte..256 MiB per slot, 2 GiB in all)"));
  }
  return g;
}

uint32_t PolicyCode(SlowSubscriberPolicy policy) {
  return policy == SlowSubscriberPolicy::kDropOldest
             ? channel_internal::kPolicyDropOldest
             : channel_internal::kPolicyBlockPublisher;
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

}  // namespace

absl::StatusOr<Publisher> Publisher::Create(const PosixName& name,
                                            const ChannelOptions& options,
                                            const WaitOptions& waiting) {
  absl::StatusOr<Geometry> g = GeometryOf(options);
  if (!g.ok()) return g.status();
  absl::StatusOr<Segment> segment = Segment::CreateNamed(
      name, *g, PolicyCode(options.policy), options.permissions);
  if (!segment.ok()) return segment.status();
  return Start(*std::move(segment), waiting);
}

absl::StatusOr<Publisher> Publisher::CreateAnonymous(
    const ChannelOptions& options, const WaitOptions& waiting) {
  absl::StatusOr<Geometry> g = GeometryOf(options);
  if (!g.ok()) return g.status();
  absl::StatusOr<Segment> segment =
      Segment::CreateAnonymous(*g, PolicyCode(options.policy));
  if (!segment.ok()) return segment.status();
  return Start(*std::move(segment), waiting);
}

absl::StatusOr<Publisher> Publisher::Attach(const PosixName& name,
                                            const WaitOptions& waiting) {
  absl::StatusOr<Segment> segment = Segment::OpenNamed(name);
  if (!segment.ok()) return segment.status();
  return Start(*std::move(segment), waiting);
}

absl::StatusOr<Publisher> Publisher::AttachFd(int fd,
                                              const WaitOptions& waiting) {
  absl::StatusOr<Segment> segment = Segment::OpenFd(fd);
  if (!segment.ok()) return segment.status();
  return Start(*std::move(segment), waiting);
}

Publisher::Publisher(Segment segment, const WaitOptions& waiting)
    : segment_(std::move(segment)), waiting_(waiting) {}

absl::StatusOr<Publisher> Publisher::Start(Segment segment,
                                           const WaitOptions& waiting) {
  absl::StatusOr<bool> locked = segment.TryLock(kPublisherLockByte);
  if (!locked.ok()) return locked.status();
  if (!*locked) {
    return absl::FailedPreconditionError(
        absl::StrCat(segment.description(), ": another publisher is attached"));
  }
  Publisher publisher(std::move(segment), waiting);
  const Segment& s = publisher.segment_.get();
  const Geometry& g = s.geometry();
  ControlBlock* c = s.control();
  // Recovery from a publisher that died: its loan goes back, and a slot it
  // stamped but never announced (stamp beyond head) is blanked, so that
  // the sequence it had reached is published afresh.
  publisher.head_ = channel_internal::LoadAcquire(&c->head);
  publisher.slowest_cursor_ = 0;  // unknown: the first claim scans
  publisher.written_.assign(g.slot_count, 0);
  for (uint32_t i = 0; i < g.slot_count; ++i) {
    SlotHeader* slot = s.slot(i);
    uint64_t stamp = channel_internal::LoadAcquire(&slot->stamp);
    if (stamp > publisher.head_) {
      stamp = 0;
      channel_internal::StoreRelease(&slot->stamp, stamp);
    }
    publisher.written_[i] = stamp;
    channel_internal::FetchAnd(&slot->holders, ~kWriterBit);
  }
  channel_internal::StoreSeqCst(&c->publisher_waiting, 0u);
  channel_internal::StoreSeqCst(&c->data_word,
                                static_cast<uint32_t>(publisher.head_));
  channel_internal::FetchAdd(&c->publisher_epoch, 1);
  channel_internal::StoreSeqCst(&c->publisher_attached, 1u);
  return publisher;
}

Publisher& Publisher::operator=(Publisher&& other) noexcept {
  if (this != &other) {
    Leave();
    segment_ = std::move(other.segment_);
    waiting_ = other.waiting_;
    head_ = other.head_;
    slowest_cursor_ = other.slowest_cursor_;
    written_ = std::move(other.written_);
    loaned_ = std::exchange(other.loaned_, -1);
  }
  return *this;
}

Publisher::~Publisher() { Leave(); }

size_t Publisher::max_payload() const {
  return segment_.get().geometry().max_payload;
}
uint32_t Publisher::slot_count() const {
  return segment_.get().geometry().slot_count;
}
int Publisher::fd() const { return segment_.get().fd(); }
void Publisher::Disown() { segment_.get().DisownName(); }
absl::Status Publisher::RemoveName() { return segment_.get().RemoveName(); }

void Publisher::Leave() {
  if (segment_.get().control() == nullptr) return;  // moved from
  Abandon();
  ControlBlock* c = segment_.get().control();
  channel_internal::StoreSeqCst(&c->publisher_attached, 0u);
  // Sleepers learn at once that nobody will publish.
  channel_internal::FetchAdd(&c->data_word, 1);
  channel_internal::FutexWakeAll(&c->data_word);
  // Closing drops the publisher lock and, if owned, removes the name.
  segment_.get() = Segment();
}

uint64_t Publisher::SlowestCursor() const {
  const Geometry& g = segment_.get().geometry();
  uint64_t slowest = head_;
  for (uint32_t i = 0; i < g.max_subscribers; ++i) {
    const auto* sub = segment_.get().subscriber(i);
    if (channel_internal::LoadAcquire(&sub->active) != 1) continue;
    uint64_t cursor = channel_internal::LoadAcquire(&sub->cursor);
    if (cursor > head_) cursor = head_;  // untrusted: never ahead of us
    if (cursor < slowest) slowest = cursor;
  }
  return slowest;
}

uint32_t Publisher::ClaimFreeSlot() {
  const uint32_t k = segment_.get().geometry().slot_count;
  const bool block =
      segment_.get().policy() == channel_internal::kPolicyBlockPublisher;
  if (!block) return ClaimSlotReadBefore(head_);
  // Every live cursor was at least `slowest_cursor_` when last scanned, and
  // cursors only move forward (a new subscriber starts at the head), so the
  // old value still bounds them from below. Scanning every subscriber's
  // line on every publish would cost one cache miss per subscriber: scan
  // only when the old bound refuses the slot we need.
  if (head_ - slowest_cursor_ < k) {
    const uint32_t idx = ClaimSlotReadBefore(slowest_cursor_);
    if (idx < k) return idx;
  }
  slowest_cursor_ = SlowestCursor();
  // Sample head_ - k must be read by everyone before its index entry
  // (head_ % k) is reused.
  if (head_ - slowest_cursor_ >= k) return k;
  return ClaimSlotReadBefore(slowest_cursor_);
}

uint32_t Publisher::ClaimSlotReadBefore(uint64_t slowest) {
  const uint32_t k = segment_.get().geometry().slot_count;
  const bool block =
      segment_.get().policy() == channel_internal::kPolicyBlockPublisher;
  for (uint32_t j = 0; j < k; ++j) {
    // From head_ % k on: in steady state the oldest sample first.
    const uint32_t idx = static_cast<uint32_t>((head_ + j) % k);
    if (block) {
      // Which sample the slot holds, from our own record (only a publisher
      // writes stamps, and Start() reads them back): no shared load before
      // the CAS, so the CAS fetches the line once.
      const uint64_t stamp = written_[idx];
      if (stamp != 0 && stamp - 1 >= slowest && stamp <= head_) continue;
    }
    uint32_t holders = 0;  // a free slot; the CAS fails on anything else
    if (channel_internal::CompareExchange(&segment_.get().slot(idx)->holders,
                                          holders, kWriterBit)) {
      written_[idx] = 0;
      return idx;
    }
  }
  return k;
}

absl::StatusOr<absl::Span<char>> Publisher::Loan(Deadline deadline) {
  if (loaned_ >= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(segment_.get().description(),
                     ": a slot is already loaned; publish it "
                     "or abandon it first"));
  }
  const Geometry& g = segment_.get().geometry();
  ControlBlock* c = segment_.get().control();
  uint32_t spins = 0;
  int64_t next_reclaim = 0;
  for (;;) {
    uint32_t idx = ClaimFreeSlot();
    if (idx < g.slot_count) {
      channel_internal::StoreRelease(&segment_.get().slot(idx)->stamp,
                                     uint64_t{0});
      loaned_ = idx;
      return absl::Span<char>(segment_.get().payload(idx), g.max_payload);
    }
    if (deadline.expired()) return TimedOutError();
    if (spins < waiting_.spin) {
      ++spins;
      channel_internal::CpuRelax();
      continue;
    }
    const int64_t now = NowNs();
    if (now >= next_reclaim) {
      if (absl::Status s = ReclaimDeadSubscribers(); !s.ok()) return s;
      next_reclaim = now + absl::ToInt64Nanoseconds(waiting_.liveness_interval);
      idx = ClaimFreeSlot();
      if (idx < g.slot_count) {
        channel_internal::StoreRelease(&segment_.get().slot(idx)->stamp,
                                       uint64_t{0});
        loaned_ = idx;
        return absl::Span<char>(segment_.get().payload(idx), g.max_payload);
      }
    }
    // Announce the sleep, then look once more: a subscriber that frees a
    // slot after this sees the flag and wakes us (see README, waiting).
    channel_internal::StoreSeqCst(&c->publisher_waiting, 1u);
    channel_internal::FenceSeqCst();
    const uint32_t word = channel_internal::LoadSeqCst(&c->free_word);
    idx = ClaimFreeSlot();
    if (idx < g.slot_count) {
      channel_internal::StoreSeqCst(&c->publisher_waiting, 0u);
      channel_internal::StoreRelease(&segment_.get().slot(idx)->stamp,
                                     uint64_t{0});
      loaned_ = idx;
      return absl::Span<char>(segment_.get().payload(idx), g.max_payload);
    }
    absl::Duration wait = deadline.Remaining();
    if (wait > waiting_.liveness_interval) wait = waiting_.liveness_interval;
    channel_internal::FutexWait(&c->free_word, word,
                                absl::ToInt64Nanoseconds(wait));
    channel_internal::StoreSeqCst(&c->publisher_waiting, 0u);
  }
}

absl::Status Publisher::Publish(size_t length) {
  const Geometry& g = segment_.get().geometry();
  if (loaned_ < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        segment_.get().description(), ": Publish() without a Loan()"));
  }
  if (length > g.max_payload) {
    return absl::InvalidArgumentError(
        absl::StrCat(segment_.get().description(), ": ", length,
                     " bytes do not fit a slot of ", g.max_payload));
  }
  const uint32_t idx = static_cast<uint32_t>(loaned_);
  SlotHeader* slot = segment_.get().slot(idx);
  ControlBlock* c = segment_.get().control();
  channel_internal::StoreRelaxed(&slot->length, static_cast<uint32_t>(length));
  channel_internal::StoreRelease(&slot->stamp, head_ + 1);
  written_[idx] = head_ + 1;
  channel_internal::StoreRelease(
      segment_.get().index_entry(static_cast<uint32_t>(head_ % g.slot_count)),
      idx);
  // Releasing the writer bit publishes the payload, length and stamp to
  // whoever takes the slot next (their CAS on holders acquires it). A
  // plain store is enough: while the writer bit is set no subscriber adds
  // a bit (Hold refuses), and one that a dead subscriber's cleanup clears
  // meanwhile is 0 either way.
  channel_internal::StoreRelease(&slot->holders, 0u);
  loaned_ = -1;
  ++head_;
  // Only data_word needs the sequentially consistent store (against the
  // sleepers load below, see README, waiting); head is ordered before it.
  channel_internal::StoreRelease(&c->head, head_);
  channel_internal::StoreSeqCst(&c->data_word, static_cast<uint32_t>(head_));
  // The only system call of a publish, and only when someone sleeps.
  if (channel_internal::LoadSeqCst(&c->sleepers) != 0) {
    channel_internal::FutexWakeAll(&c->data_word);
  }
  return absl::OkStatus();
}

void Publisher::Abandon() {
  if (loaned_ < 0) return;
  SlotHeader* slot = segment_.get().slot(static_cast<uint32_t>(loaned_));
  channel_internal::FetchAnd(&slot->holders, ~kWriterBit);
  loaned_ = -1;
}

absl::Status Publisher::ReclaimDeadSubscribers() {
  const Geometry& g = segment_.get().geometry();
  for (uint32_t i = 0; i < g.max_subscribers; ++i) {
    if (channel_internal::LoadAcquire(&segment_.get().subscriber(i)->active) ==
        0) {
      continue;
    }
    absl::StatusOr<bool> locked =
        segment_.get().TryLock(kSubscriberLockByte + i);
    if (!locked.ok()) return locked.status();
    if (!*locked) continue;  // its owner is alive
    CleanSubscriberPlace(segment_.get(), i);
    segment_.get().Unlock(kSubscriberLockByte + i);
  }
  return absl::OkStatus();
}

uint32_t Publisher::AttachedSubscribers() const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < segment_.get().geometry().max_subscribers; ++i) {
    if (channel_internal::LoadAcquire(&segment_.get().subscriber(i)->active) ==
        1) {
      ++n;
    }
  }
  return n;
}

}  // namespace ipcbox
