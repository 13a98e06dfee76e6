// subscriber.h
//
// `Subscriber` reads a channel that a `Publisher` (publisher.h) writes. Each
// `Sample` it returns is a read-only view of a slot in the shared segment,
// not a copy: the slot stays the sample's until the view is released
// (destroyed or `Reset()`), and goes back to the publisher once every
// subscriber released it.
//
// Example:
//
//   absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(*name);
//   if (!subscriber.ok()) return subscriber.status();
//   for (;;) {
//     absl::StatusOr<Sample> sample =
//         subscriber->Receive(Deadline::After(absl::Seconds(1)));
//     if (IsTimedOut(sample.status())) continue;
//     if (IsPublisherGone(sample.status())) break;  // closed or died
//     if (!sample.ok()) return sample.status();
//     Consume(sample->data());                      // zero-copy
//     if (subscriber->missed() > 0) ...             // kDropOldest only
//   }                                               // ~Sample releases
//
// In an event loop: poll `NotificationFd()` for POLLIN, read it, then
// `TryReceive()` until it would block. Not thread-safe; move-only; release
// every Sample before destroying its Subscriber.

#ifndef IPCBOX_CHANNEL_SUBSCRIBER_H_
#define IPCBOX_CHANNEL_SUBSCRIBER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/segment_storage.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"

namespace ipcbox {
namespace channel_internal {
struct ControlBlock;  // internal/layout.h
}  // namespace channel_internal

class Subscriber;

// One received sample: a view of its slot, held until released.
class Sample {
 public:
  Sample(Sample&& other) noexcept;
  Sample& operator=(Sample&& other) noexcept;
  Sample(const Sample&) = delete;
  Sample& operator=(const Sample&) = delete;
  ~Sample() { Reset(); }

  // The payload, in shared memory, valid until release.
  absl::Span<const char> data() const { return data_; }
  // The sample's sequence number: 0 for the first the publisher published,
  // then +1 each. Gaps are the samples this subscriber missed.
  uint64_t sequence() const { return sequence_; }
  // Gives the slot back now; the view becomes empty.
  void Reset();

 private:
  friend class Subscriber;
  // Points into the mapping, which stays where it is when its Subscriber
  // moves.
  Sample(channel_internal::ControlBlock* control, uint32_t* holders,
         uint32_t bit, uint64_t sequence, absl::Span<const char> data)
      : control_(control),
        holders_(holders),
        bit_(bit),
        sequence_(sequence),
        data_(data) {}

  channel_internal::ControlBlock* control_ = nullptr;
  uint32_t* holders_ = nullptr;
  uint32_t bit_ = 0;
  uint64_t sequence_ = 0;
  absl::Span<const char> data_;
};

// Whether `status` says the channel has no publisher (it closed, or died).
// A later `Publisher::Attach` brings the channel back; keep receiving.
bool IsPublisherGone(const absl::Status& status);

class Subscriber {
 public:
  // Attaches to the channel `name` and starts at its newest sample: what
  // is published from now on is received. ResourceExhausted when all the
  // channel's subscriber places are taken by live subscribers;
  // Unavailable when the channel is not initialised yet (try again).
  static absl::StatusOr<Subscriber> Attach(const PosixName& name,
                                           const WaitOptions& waiting = {});
  // The same for a channel descriptor received from the publisher (see
  // Publisher::CreateAnonymous). `fd` stays the caller's.
  static absl::StatusOr<Subscriber> AttachFd(int fd,
                                             const WaitOptions& waiting = {});

  Subscriber(Subscriber&&) noexcept;
  Subscriber& operator=(Subscriber&&) noexcept;
  ~Subscriber();

  // The next sample if one is there; a code-only would-block status if
  // not. DataLoss if the segment holds impossible values (a corrupted or
  // hostile segment): the sample is skipped, and later calls go on.
  absl::StatusOr<Sample> TryReceive();
  // The next sample, waiting until `deadline`: spins `WaitOptions::spin`
  // attempts, then sleeps on a futex, waking every liveness interval to
  // check the publisher. Code-only timed-out status at the deadline; a
  // publisher-gone status (IsPublisherGone) once nothing is left to read
  // and no publisher is attached.
  absl::StatusOr<Sample> Receive(Deadline deadline = Deadline::Infinite());

  // Samples lost so far because the publisher (kDropOldest) overwrote
  // them before this subscriber read them.
  uint64_t missed() const { return missed_; }
  // OK while a publisher is attached, else a publisher-gone status. One
  // system call (F_OFD_GETLK).
  absl::Status CheckPublisher() const;
  // A descriptor that becomes readable (POLLIN) when a sample arrives or
  // the publisher goes; read its 8 bytes to reset it (an eventfd). The
  // first call starts a thread that sleeps on the channel's futex on this
  // subscriber's behalf and signals the eventfd; it exits with the
  // subscriber. The descriptor stays the subscriber's.
  absl::StatusOr<int> NotificationFd();

  uint32_t place() const { return place_; }
  size_t max_payload() const;

 private:
  struct Watcher;
  Subscriber(channel_internal::Segment segment, uint32_t place,
             const WaitOptions& waiting);
  static absl::StatusOr<Subscriber> AttachSegment(
      channel_internal::Segment segment, const WaitOptions& waiting);
  void Detach();
  void Advance(uint64_t cursor);
  void StopWatcher();
  absl::Status PublisherGoneError() const;

  channel_internal::SegmentStorage segment_;
  uint32_t place_ = 0;
  WaitOptions waiting_;
  uint64_t cursor_ = 0;
  uint64_t missed_ = 0;
  std::unique_ptr<Watcher> watcher_;
};

}  // namespace ipcbox

#endif  // IPCBOX_CHANNEL_SUBSCRIBER_H_
