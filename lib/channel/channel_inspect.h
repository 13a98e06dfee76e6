// channel_inspect.h
//
// A read-only look at a channel, for tools that watch channels without
// taking part (`ipcbox ls --kind=channel`): its geometry and policy, how
// many samples were published, and which participant places are held by a
// live process, with each subscriber's backlog. Nothing is written to the
// segment and no lock is taken, so looking never takes a subscriber's
// place or changes what the participants see.
//
// Example:
//
//   Fd fd(::open("/dev/shm/sensor", O_RDONLY | O_CLOEXEC));
//   if (!LooksLikeChannel(fd.get())) return;   // some other shm object
//   absl::StatusOr<ChannelInfo> info = InspectChannel(fd.get());
//   if (!info.ok()) Report(info.status());     // corrupt or half-written
//   else if (!info->publisher_alive) ...
//
// The segment is read with pread(2) into private copies (never mapped), so
// a segment that shrinks or is scribbled on while it is read gives a
// status, never a SIGBUS; every count, index and offset is checked as
// attach checks it. Liveness is what the participants themselves use: the
// OFD lock each holds on its byte of the backing file (F_OFD_GETLK).

#ifndef IPCBOX_CHANNEL_CHANNEL_INSPECT_H_
#define IPCBOX_CHANNEL_CHANNEL_INSPECT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace ipcbox {

struct ChannelSubscriberInfo {
  uint32_t place = 0;
  // Whether a live process holds this place's lock: the only trusted
  // answer to "is a subscriber here".
  bool alive = false;
  // The segment's own record (active flag, pid, read cursor, missed
  // count): diagnostics only, written by a participant that may have died
  // or lied. The pid is 0 when the record holds none.
  bool active_flag = false;
  uint32_t recorded_pid = 0;
  uint64_t cursor = 0;
  uint64_t missed = 0;
  // Samples published and not yet read by this subscriber, at most the
  // slot count (`cursor` past `head` reads as 0 backlog and sets
  // `cursor_ahead`).
  uint64_t backlog = 0;
  bool cursor_ahead = false;
};

struct ChannelInfo {
  uint32_t version = 0;
  uint32_t slot_count = 0;
  uint32_t max_subscribers = 0;
  uint32_t max_payload = 0;
  bool drop_oldest = false;  // else the publisher blocks on slow subscribers
  uint64_t total_size = 0;
  uint64_t file_size = 0;

  uint64_t published = 0;                // samples published (the head)
  bool publisher_alive = false;          // its lock is held
  bool publisher_attached_flag = false;  // the segment's record
  uint32_t publisher_epoch = 0;          // publishers attached so far

  // One entry per place, max_subscribers of them.
  std::vector<ChannelSubscriberInfo> subscribers;

  uint32_t live_subscribers() const;
  // Nothing holds a participant lock: every participant left or died.
  bool abandoned() const;
};

// Whether the file `fd` starts with a channel's magic number (a finished
// channel, or a corrupt one that still carries the mark).
bool LooksLikeChannel(int fd);

// What the channel in `fd` (opened read-only is enough) holds now.
// Unavailable while its creator has not initialised it; FailedPrecondition
// ("not a usable channel: ...") for a segment that fails the checks.
absl::StatusOr<ChannelInfo> InspectChannel(int fd);

}  // namespace ipcbox

#endif  // IPCBOX_CHANNEL_CHANNEL_INSPECT_H_
