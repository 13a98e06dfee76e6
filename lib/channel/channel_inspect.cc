// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel): F_OFD_GETLK takes a
// 64-bit struct flock on every architecture.
#include "ipcbox/channel/channel_inspect.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {
namespace {

using channel_internal::ControlBlock;
using channel_internal::Geometry;
using channel_internal::SubscriberState;

absl::Status Corrupt(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("not a usable channel: ", what));
}

// Reads exactly `size` bytes at `offset`; false on a short read (the file
// shrank) or an error.
bool ReadAt(int fd, void* out, size_t size, uint64_t offset) {
  char* p = static_cast<char*>(out);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = RetryOnEintr([&] {
      return ::pread(fd, p + done, size - done,
                     static_cast<off_t>(offset + done));
    });
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Whether an open file description holds a lock on `byte` (ours holds
// none, so any holder is a participant).
absl::StatusOr<bool> Locked(int fd, int64_t byte) {
  struct flock fl;
  std::memset(&fl, 0, sizeof(fl));
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  if (::fcntl(fd, F_OFD_GETLK, &fl) != 0) {
    return ErrnoError(errno, "fcntl(F_OFD_GETLK)", "channel");
  }
  return fl.l_type != F_UNLCK;
}

}  // namespace

uint32_t ChannelInfo::live_subscribers() const {
  uint32_t n = 0;
  for (const ChannelSubscriberInfo& s : subscribers) n += s.alive ? 1 : 0;
  return n;
}

bool ChannelInfo::abandoned() const {
  return !publisher_alive && live_subscribers() == 0;
}

bool LooksLikeChannel(int fd) {
  uint32_t magic = 0;
  return ReadAt(fd, &magic, sizeof(magic), 0) &&
         magic == channel_internal::kMagic;
}

absl::StatusOr<ChannelInfo> InspectChannel(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, "fstat", "channel");
  ChannelInfo info;
  info.file_size = static_cast<uint64_t>(st.st_size);
  if (info.file_size < sizeof(ControlBlock)) {
    return WouldBlockError(absl::StrCat(
        info.file_size,
        " bytes: not yet sized by its creator (or not a channel)"));
  }
  ControlBlock c;
  if (!ReadAt(fd, &c, sizeof(c), 0)) {
    return WouldBlockError("the control block could not be read");
  }
  if (c.magic == 0) {
    return WouldBlockError("not yet initialised by its creator");
  }
  if (c.magic != channel_internal::kMagic) return Corrupt("bad magic number");
  if (c.version != channel_internal::kVersion) {
    return Corrupt(absl::StrCat("layout version ", c.version,
                                ", this library reads ",
                                channel_internal::kVersion));
  }
  if (c.control_block_size != sizeof(ControlBlock) ||
      c.subscriber_state_size != sizeof(SubscriberState) ||
      c.slot_header_size != sizeof(channel_internal::SlotHeader)) {
    return Corrupt("record sizes differ from this library's");
  }
  // Only the copies in `g`, computed from three checked parameters, say
  // where anything is; the stored offsets must agree with them.
  Geometry g;
  if (!channel_internal::ComputeGeometry(c.slot_count, c.max_subscribers,
                                         c.max_payload, g)) {
    return Corrupt("slot count, subscribers or payload out of range");
  }
  if (c.slot_stride != g.slot_stride ||
      c.subscribers_offset != g.subscribers_offset ||
      c.slots_offset != g.slots_offset || c.index_offset != g.index_offset ||
      c.payload_offset != g.payload_offset || c.total_size != g.total_size) {
    return Corrupt("stored offsets differ from the computed layout");
  }
  if (g.total_size > info.file_size) {
    return Corrupt(absl::StrCat("needs ", g.total_size,
                                " bytes, the object holds ", info.file_size));
  }
  if (c.policy != channel_internal::kPolicyBlockPublisher &&
      c.policy != channel_internal::kPolicyDropOldest) {
    return Corrupt("unknown slow-subscriber policy");
  }
  info.version = c.version;
  info.slot_count = g.slot_count;
  info.max_subscribers = g.max_subscribers;
  info.max_payload = g.max_payload;
  info.drop_oldest = c.policy == channel_internal::kPolicyDropOldest;
  info.total_size = g.total_size;
  info.published = c.head;
  info.publisher_attached_flag = c.publisher_attached != 0;
  info.publisher_epoch = c.publisher_epoch;

  absl::StatusOr<bool> publisher =
      Locked(fd, channel_internal::kPublisherLockByte);
  if (!publisher.ok()) return publisher.status();
  info.publisher_alive = *publisher;

  SubscriberState states[channel_internal::kMaxSubscribers];
  if (!ReadAt(fd, states, sizeof(SubscriberState) * g.max_subscribers,
              g.subscribers_offset)) {
    return Corrupt("the subscriber records could not be read");
  }
  info.subscribers.resize(g.max_subscribers);
  for (uint32_t i = 0; i < g.max_subscribers; ++i) {
    ChannelSubscriberInfo& s = info.subscribers[i];
    s.place = i;
    absl::StatusOr<bool> alive =
        Locked(fd, channel_internal::kSubscriberLockByte + i);
    if (!alive.ok()) return alive.status();
    s.alive = *alive;
    s.active_flag = states[i].active != 0;
    s.recorded_pid = states[i].pid;
    s.cursor = states[i].cursor;
    s.missed = states[i].missed;
    if (s.cursor > info.published) {
      s.cursor_ahead = true;
    } else {
      // A subscriber can be behind by at most the ring (the publisher
      // overwrites or waits); more is a stale or scribbled cursor.
      const uint64_t behind = info.published - s.cursor;
      s.backlog = behind > g.slot_count ? g.slot_count : behind;
    }
  }
  return info;
}

}  // namespace ipcbox
