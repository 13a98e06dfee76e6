// segment.h (internal to lib/channel)
//
// `Segment` owns one participant's view of a channel's shared segment: the
// mapping (lib/shm's `posix::SharedMemory` for a named channel, a memfd
// mapped here for an anonymous one), a descriptor of the object to hand to
// peers, and the geometry validated once at attach and kept privately, so
// that nothing read later from the segment can change where this process
// looks. It also holds the participant's liveness lock: an OFD write lock
// on one byte of the backing file, which the kernel drops when the last
// reference to the lock's open file description goes, that is when the
// process dies, whatever killed it.
//
// Why the lock has an open file description of its own: OFD locks belong
// to a description, and every descriptor and mapping made from it keeps it
// alive. So the lock description is never mapped, never handed out (a memfd
// received over SCM_RIGHTS would otherwise carry the sender's locks), and a
// child made with fork() gets, in its place, a lock-free description (see
// segment.cc, the fork handler): a dead participant's fork()ed child does
// not keep it looking alive.

#ifndef IPCBOX_CHANNEL_INTERNAL_SEGMENT_H_
#define IPCBOX_CHANNEL_INTERNAL_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/channel/internal/layout.h"
#include "ipcbox/channel/segment_storage.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/shm/posix_shared_memory.h"

namespace ipcbox::channel_internal {

class Segment {
 public:
  // A new named object (shm_open, O_EXCL), sized, initialised; the result
  // owns the name.
  static absl::StatusOr<Segment> CreateNamed(const PosixName& name,
                                             const Geometry& geometry,
                                             uint32_t policy,
                                             Permissions permissions);
  // A new memfd, sized, initialised and sealed against resizing.
  static absl::StatusOr<Segment> CreateAnonymous(const Geometry& geometry,
                                                 uint32_t policy);
  // An existing channel; the layout is validated.
  static absl::StatusOr<Segment> OpenNamed(const PosixName& name);
  static absl::StatusOr<Segment> OpenFd(int fd);

  // Empty: maps nothing (what a moved-from segment also is).
  Segment() = default;
  Segment(Segment&& other) noexcept;
  Segment& operator=(Segment&& other) noexcept;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  // Unmaps, closes (dropping this participant's locks), and removes the
  // name if this segment owns it (and it still names this object).
  ~Segment();

  const Geometry& geometry() const { return geometry_; }
  uint32_t policy() const { return policy_; }
  // A descriptor of the backing object to hand to peers: never the lock's.
  int fd() const { return object_fd_.get(); }
  // The description the liveness locks are on (probes may use it too).
  int lock_fd() const { return lock_fd_.get(); }
  bool owns_name() const { return shm_.has_value() && shm_->owner(); }
  void DisownName() {
    if (shm_.has_value()) shm_->Disown();
  }
  // Removes the name now; ownership ends.
  absl::Status RemoveName();
  // "channel /name" or "channel (memfd)", for messages.
  const char* description() const { return description_; }

  ControlBlock* control() const {
    return reinterpret_cast<ControlBlock*>(base_);
  }
  // Index checked by the callers (against the private geometry).
  SubscriberState* subscriber(uint32_t i) const {
    return reinterpret_cast<SubscriberState*>(base_ +
                                              geometry_.subscribers_offset) +
           i;
  }
  SlotHeader* slot(uint32_t i) const {
    return reinterpret_cast<SlotHeader*>(base_ + geometry_.slots_offset) + i;
  }
  uint32_t* index_entry(uint32_t i) const {
    return reinterpret_cast<uint32_t*>(base_ + geometry_.index_offset) + i;
  }
  char* payload(uint32_t i) const {
    return base_ + geometry_.payload_offset +
           static_cast<size_t>(i) * geometry_.slot_stride;
  }

  // OFD write lock on `byte`, without waiting: true if taken, false if
  // someone else holds it.
  absl::StatusOr<bool> TryLock(int64_t byte);
  void Unlock(int64_t byte);
  // Whether another open file description holds a lock on `byte` (a
  // snapshot; F_OFD_GETLK).
  absl::StatusOr<bool> LockedByOther(int64_t byte) const;

 private:
  static absl::StatusOr<Segment> Initialise(Segment segment,
                                            const Geometry& geometry,
                                            uint32_t policy);
  static absl::StatusOr<Segment> Validate(Segment segment);
  // Maps all of `object_fd_` (a memfd), at most kMaxSegmentSize bytes.
  absl::Status MapObject();
  // Opens `lock_fd_` and registers it with the fork handler.
  absl::Status OpenLockDescription();
  void Reset();

  // Named: the object and its mapping (base_ points into it).
  std::optional<posix::SharedMemory> shm_;
  // Anonymous: mapped here (base_, mapped_size_), unmapped by Reset().
  bool own_mapping_ = false;
  Fd object_fd_;
  Fd lock_fd_;
  char* base_ = nullptr;
  size_t mapped_size_ = 0;
  Geometry geometry_;
  uint32_t policy_ = 0;
  char description_[NAME_MAX + 16] = {};
};

inline Segment& SegmentStorage::get() {
  return *std::launder(reinterpret_cast<Segment*>(bytes_));
}
inline const Segment& SegmentStorage::get() const {
  return *std::launder(reinterpret_cast<const Segment*>(bytes_));
}

// futex(2) on a shared (non-private) 32-bit word: other processes, and
// qemu-user processes of another architecture, wait on the same word.
// Waits while *word == expected, at most `timeout_ns` (relative,
// CLOCK_MONOTONIC); returns on wake-up, timeout, signal or a changed word.
// Clears everything subscriber place `i` may have left in the segment: its
// bit in every slot's holders, its sleeper bits, its active flag. Only for
// the holder of that place's lock (the new owner, or whoever found the old
// one dead), so that no live subscriber's holds are cleared.
void CleanSubscriberPlace(const Segment& segment, uint32_t i);

// Wakes a publisher asleep waiting for a slot, if one is.
void WakePublisherIfWaiting(ControlBlock* control);

// Whether another open file description holds a lock on `byte` of `fd`;
// true when the probe itself fails (a dead peer is declared only on
// evidence).
bool ByteLockedByOther(int fd, int64_t byte);

// Spin-wait hint to the CPU.
void CpuRelax();

void FutexWait(uint32_t* word, uint32_t expected, int64_t timeout_ns);
void FutexWakeAll(uint32_t* word);

}  // namespace ipcbox::channel_internal

#endif  // IPCBOX_CHANNEL_INTERNAL_SEGMENT_H_
