// channel_options.h
//
// What a channel is made of, fixed when its publisher creates it
// (`ChannelOptions`), and how a participant waits (`WaitOptions`).
//
// Example:
//
//   ChannelOptions options;
//   options.slot_count = 8;            // samples in flight at most
//   options.max_subscribers = 4;
//   options.max_payload = 64 * 1024;   // bytes per sample
//   options.policy = SlowSubscriberPolicy::kDropOldest;
//   absl::StatusOr<Publisher> publisher = Publisher::Create(*name, options);
//
//   WaitOptions waiting;
//   waiting.spin = 0;                  // sleep at once: the board has one core
//   absl::StatusOr<Subscriber> subscriber = Subscriber::Attach(*name, waiting);
//
// Limits (checked at creation and again at attach): 2 to 65536 slots, 1 to
// 16 subscribers, 1 byte to 256 MiB of payload, 2 GiB in total.

#ifndef IPCBOX_CHANNEL_CHANNEL_OPTIONS_H_
#define IPCBOX_CHANNEL_CHANNEL_OPTIONS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

// What happens when a subscriber falls behind by a whole ring of samples.
enum class SlowSubscriberPolicy {
  // The publisher waits (until its `Loan()` deadline) for the slowest live
  // subscriber: nothing is lost, a slow subscriber slows everyone.
  kBlockPublisher,
  // The publisher never waits for unread samples: a subscriber that falls
  // behind loses the oldest ones and can read how many (`missed()`). The
  // publisher still waits for slots that views hold.
  kDropOldest,
};

struct ChannelOptions {
  uint32_t slot_count = 8;
  uint32_t max_subscribers = 4;
  uint32_t max_payload = 4096;
  SlowSubscriberPolicy policy = SlowSubscriberPolicy::kBlockPublisher;
  // Of a named channel, applied exactly (the umask does not change them).
  Permissions permissions = Permissions::OwnerOnly();
};

struct WaitOptions {
  // Attempts before sleeping in the kernel: a spinning waiter answers in
  // well under a microsecond but burns its core; a sleeper costs a futex
  // wake-up (tens of microseconds across cores here) and no CPU.
  uint32_t spin = 2000;
  // How often a sleeper wakes to check that its peer is alive: a peer
  // killed with SIGKILL cannot wake anyone. Bounds how long it takes to
  // notice a dead publisher (subscribers) or reclaim the slots of a dead
  // subscriber (publisher).
  absl::Duration liveness_interval = absl::Milliseconds(100);
};

}  // namespace ipcbox

#endif  // IPCBOX_CHANNEL_CHANNEL_OPTIONS_H_
