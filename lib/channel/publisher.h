// publisher.h
//
// `Publisher` is the one writer of a zero-copy publish-subscribe channel in
// shared memory: it loans a slot of the shared segment, fills it in place
// and publishes it to every attached `Subscriber` (subscriber.h), without a
// copy and without a system call unless a subscriber sleeps.
//
// Example:
//
//   absl::StatusOr<PosixName> name = PosixName::Create("/sensor");
//   absl::StatusOr<Publisher> publisher = Publisher::Create(*name, options);
//   if (!publisher.ok()) return publisher.status();
//   for (;;) {
//     absl::StatusOr<absl::Span<char>> slot =
//         publisher->Loan(Deadline::After(absl::Milliseconds(10)));
//     if (IsTimedOut(slot.status())) continue;  // a subscriber is slow
//     if (!slot.ok()) return slot.status();
//     const size_t n = FillSample(*slot);      // writes into shared memory
//     if (absl::Status s = publisher->Publish(n); !s.ok()) return s;
//   }
//
// One publisher per channel at a time (an OFD lock says who). A publisher
// that died is replaced with `Attach()`, which recovers the half-written
// slot and continues the sequence. Not thread-safe; move-only. See
// lib/channel/README.md for the design.

#ifndef IPCBOX_CHANNEL_PUBLISHER_H_
#define IPCBOX_CHANNEL_PUBLISHER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/channel/channel_options.h"
#include "ipcbox/channel/segment_storage.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"

namespace ipcbox {

class Publisher {
 public:
  // A new channel under the POSIX shared memory name `name` (created
  // exclusively), owned by the result: destroying it removes the name.
  static absl::StatusOr<Publisher> Create(const PosixName& name,
                                          const ChannelOptions& options,
                                          const WaitOptions& waiting = {});
  // A new channel in an anonymous memfd, sealed against resizing, that
  // nothing can leave behind. Hand `fd()` to subscribers over a Unix socket
  // (SendWithFds, ipcbox/socket/fd_passing.h); they call
  // `Subscriber::AttachFd`.
  static absl::StatusOr<Publisher> CreateAnonymous(
      const ChannelOptions& options, const WaitOptions& waiting = {});
  // Becomes the publisher of an existing channel, whose previous publisher
  // closed or died. FailedPrecondition while another publisher is attached.
  static absl::StatusOr<Publisher> Attach(const PosixName& name,
                                          const WaitOptions& waiting = {});
  static absl::StatusOr<Publisher> AttachFd(int fd,
                                            const WaitOptions& waiting = {});

  Publisher(Publisher&&) = default;
  // Leaves the channel held so far (see the destructor), then takes
  // `other`'s.
  Publisher& operator=(Publisher&& other) noexcept;
  // Gives back a loaned slot, tells subscribers the publisher left, and
  // removes the name if this publisher owns it.
  ~Publisher();

  // A writable slot of `max_payload()` bytes in the shared segment, by
  // `deadline`. Waits (spin, then futex) while every slot is held by a view
  // or, with kBlockPublisher, unread by a live subscriber; reclaims the
  // slots of dead subscribers meanwhile. Timed-out and would-block outcomes
  // are code-only statuses; FailedPrecondition if a slot is already loaned.
  absl::StatusOr<absl::Span<char>> Loan(
      Deadline deadline = Deadline::Infinite());
  // Publishes the first `length` bytes of the loaned slot.
  absl::Status Publish(size_t length);
  // Gives the loaned slot back unpublished.
  void Abandon();

  // Frees the places and slots of subscribers that died; Loan() does this
  // itself while it waits.
  absl::Status ReclaimDeadSubscribers();
  // Subscribers attached now (a snapshot, for monitoring).
  uint32_t AttachedSubscribers() const;

  uint64_t published() const { return head_; }
  size_t max_payload() const;
  uint32_t slot_count() const;
  // A descriptor of the backing object (memfd or shm), to pass to
  // subscribers; not the one this publisher's liveness lock is on.
  int fd() const;
  // Leaves the name for others to remove (`Publisher::Attach` after a
  // restart), or removes it now.
  void Disown();
  absl::Status RemoveName();

 private:
  Publisher(channel_internal::Segment segment, const WaitOptions& waiting);
  static absl::StatusOr<Publisher> Start(channel_internal::Segment segment,
                                         const WaitOptions& waiting);
  // A free slot, claimed for writing; slot_count() when there is none.
  uint32_t ClaimFreeSlot();
  // A free slot whose sample (if any) every cursor has passed, were the
  // slowest cursor `slowest`; slot_count() when there is none.
  uint32_t ClaimSlotReadBefore(uint64_t slowest);
  // The slowest live subscriber's cursor (head_ when there is none).
  uint64_t SlowestCursor() const;
  void Leave();

  channel_internal::SegmentStorage segment_;
  WaitOptions waiting_;
  uint64_t head_ = 0;
  // kBlockPublisher: a lower bound of every live cursor (see
  // ClaimFreeSlot).
  uint64_t slowest_cursor_ = 0;
  // written_[i]: the stamp this publisher last gave slot i (0: none); the
  // segment's copy is for subscribers, this one is not shared.
  std::vector<uint64_t> written_;
  int64_t loaned_ = -1;
};

}  // namespace ipcbox

#endif  // IPCBOX_CHANNEL_PUBLISHER_H_
