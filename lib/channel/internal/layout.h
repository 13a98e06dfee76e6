// layout.h (internal to lib/channel)
//
// The bytes of a channel's shared segment, the same on every architecture
// that maps it: fixed-width fields only, every offset and size pinned by a
// static_assert, no pointer, `long` or `size_t`. A 32-bit ARM process and a
// 64-bit x86 process read the same fields at the same offsets. Shared
// fields are accessed only through the atomics below (GCC __atomic
// builtins on the plain fields), never as plain loads and stores.
//
//   offset 0     ControlBlock   3 cache lines: geometry | publisher | waits
//   192          SubscriberState[max_subscribers]   one cache line each
//   ...          SlotHeader[slot_count]             one cache line each
//   ...          uint32_t index[slot_count]         rounded up to a line
//   ...          payload[slot_count][slot_stride]   stride: a line multiple
//
// See lib/channel/README.md for the protocol these fields carry.

#ifndef IPCBOX_CHANNEL_INTERNAL_LAYOUT_H_
#define IPCBOX_CHANNEL_INTERNAL_LAYOUT_H_

#include <cstddef>
#include <cstdint>

namespace ipcbox::channel_internal {

inline constexpr uint32_t kCacheLine = 64;
inline constexpr uint32_t kMagic = 0x43435049;  // "IPCC" little-endian
inline constexpr uint32_t kVersion = 1;

// Limits checked at creation and again at attach (a segment that claims
// more is refused): they keep every size computation inside 32 bits of
// address space and the holder masks inside one 32-bit word.
inline constexpr uint32_t kMaxSubscribers = 16;
inline constexpr uint32_t kMaxSlots = 1u << 16;
inline constexpr uint32_t kMaxPayload = 1u << 28;
inline constexpr uint64_t kMaxSegmentSize = uint64_t{1} << 31;

// SlotHeader::holders: bit i is subscriber i holding the slot through a
// view; kWriterBit is the publisher writing it.
inline constexpr uint32_t kWriterBit = 1u << 31;
// ControlBlock::sleepers: bit i is subscriber i asleep in Receive(); bit
// 16 + i is subscriber i's notification watcher asleep.
inline constexpr uint32_t kWatcherShift = 16;

// Byte offsets in the backing file that the participants lock (OFD write
// locks, released by the kernel when the holder dies). Locks are advisory
// and may lie past the end of the file; these never touch the data.
inline constexpr int64_t kPublisherLockByte = 0;
inline constexpr int64_t kSubscriberLockByte = 1;  // + subscriber index

inline constexpr uint32_t kPolicyBlockPublisher = 1;
inline constexpr uint32_t kPolicyDropOldest = 2;

struct alignas(kCacheLine) ControlBlock {
  // Line 0: geometry, written once at creation before `magic`.
  uint32_t magic;  // stored last, with release: the segment is ready
  uint32_t version;
  uint32_t control_block_size;
  uint32_t subscriber_state_size;
  uint32_t slot_header_size;
  uint32_t slot_count;
  uint32_t max_subscribers;
  uint32_t max_payload;
  uint32_t slot_stride;
  uint32_t policy;
  uint32_t subscribers_offset;
  uint32_t slots_offset;
  uint32_t index_offset;
  uint32_t payload_offset;
  alignas(8) uint64_t total_size;  // line 0 ends here, full

  // Line 1: written by the publisher on every publish.
  alignas(kCacheLine) uint64_t head;  // samples published (next sequence)
  uint32_t data_word;                 // futex: low 32 bits of head
  uint32_t publisher_attached;        // 1 while a publisher is attached
  uint32_t publisher_epoch;           // +1 at every publisher attach
  uint8_t reserved1[kCacheLine - 20];

  // Line 2: written by sleepers and by subscribers releasing slots.
  alignas(kCacheLine) uint32_t sleepers;  // see kWatcherShift
  uint32_t free_word;                     // futex: bumped on release
  uint32_t publisher_waiting;             // publisher asleep on free_word
  uint8_t reserved2[kCacheLine - 12];
};

struct alignas(kCacheLine) SubscriberState {
  uint64_t cursor;  // next sequence this subscriber reads
  uint64_t missed;  // samples lost so far (for observers; not trusted)
  uint32_t active;  // 1 while attached
  uint32_t pid;     // of the attached process, for diagnostics only
  uint8_t reserved[kCacheLine - 24];
};

struct alignas(kCacheLine) SlotHeader {
  uint64_t stamp;    // sequence + 1 of the sample held; 0: none
  uint32_t holders;  // kWriterBit | one bit per subscriber holding it
  uint32_t length;   // payload bytes of the sample
  uint8_t reserved[kCacheLine - 16];
};

static_assert(sizeof(ControlBlock) == 3 * kCacheLine);
static_assert(alignof(ControlBlock) == kCacheLine);
static_assert(offsetof(ControlBlock, magic) == 0);
static_assert(offsetof(ControlBlock, version) == 4);
static_assert(offsetof(ControlBlock, control_block_size) == 8);
static_assert(offsetof(ControlBlock, subscriber_state_size) == 12);
static_assert(offsetof(ControlBlock, slot_header_size) == 16);
static_assert(offsetof(ControlBlock, slot_count) == 20);
static_assert(offsetof(ControlBlock, max_subscribers) == 24);
static_assert(offsetof(ControlBlock, max_payload) == 28);
static_assert(offsetof(ControlBlock, slot_stride) == 32);
static_assert(offsetof(ControlBlock, policy) == 36);
static_assert(offsetof(ControlBlock, subscribers_offset) == 40);
static_assert(offsetof(ControlBlock, slots_offset) == 44);
static_assert(offsetof(ControlBlock, index_offset) == 48);
static_assert(offsetof(ControlBlock, payload_offset) == 52);
static_assert(offsetof(ControlBlock, total_size) == 56);
static_assert(offsetof(ControlBlock, head) == 64);
static_assert(offsetof(ControlBlock, data_word) == 72);
static_assert(offsetof(ControlBlock, publisher_attached) == 76);
static_assert(offsetof(ControlBlock, publisher_epoch) == 80);
static_assert(offsetof(ControlBlock, sleepers) == 128);
static_assert(offsetof(ControlBlock, free_word) == 132);
static_assert(offsetof(ControlBlock, publisher_waiting) == 136);

static_assert(sizeof(SubscriberState) == kCacheLine);
static_assert(offsetof(SubscriberState, cursor) == 0);
static_assert(offsetof(SubscriberState, missed) == 8);
static_assert(offsetof(SubscriberState, active) == 16);
static_assert(offsetof(SubscriberState, pid) == 20);

static_assert(sizeof(SlotHeader) == kCacheLine);
static_assert(offsetof(SlotHeader, stamp) == 0);
static_assert(offsetof(SlotHeader, holders) == 8);
static_assert(offsetof(SlotHeader, length) == 12);

static_assert(kMaxSubscribers <= kWatcherShift);
static_assert(kWatcherShift + kMaxSubscribers <= 32);
static_assert(kMaxSubscribers < 31);  // kWriterBit stays apart

// 64-bit fields must be naturally aligned to be single-copy atomic on
// armv7 (ldrexd/strexd) without libatomic.
static_assert(__atomic_always_lock_free(sizeof(uint64_t), nullptr));
static_assert(__atomic_always_lock_free(sizeof(uint32_t), nullptr));
static_assert(alignof(uint64_t) == 8 || sizeof(void*) == 4,
              "64-bit fields are aligned explicitly with alignas(8)");

constexpr uint64_t RoundUpToLine(uint64_t n) {
  return (n + kCacheLine - 1) / kCacheLine * kCacheLine;
}

// Where everything is, computed from the three creation parameters. Both
// the creator and every attacher compute it; an attacher refuses a segment
// whose stored offsets differ.
struct Geometry {
  uint32_t slot_count = 0;
  uint32_t max_subscribers = 0;
  uint32_t max_payload = 0;
  uint32_t slot_stride = 0;
  uint32_t subscribers_offset = 0;
  uint32_t slots_offset = 0;
  uint32_t index_offset = 0;
  uint32_t payload_offset = 0;
  uint64_t total_size = 0;
};

// False when a parameter is out of the limits above.
constexpr bool ComputeGeometry(uint32_t slot_count, uint32_t max_subscribers,
                               uint32_t max_payload, Geometry& out) {
  if (slot_count < 2 || slot_count > kMaxSlots) return false;
  if (max_subscribers < 1 || max_subscribers > kMaxSubscribers) return false;
  if (max_payload < 1 || max_payload > kMaxPayload) return false;
  Geometry g;
  g.slot_count = slot_count;
  g.max_subscribers = max_subscribers;
  g.max_payload = max_payload;
  g.slot_stride = static_cast<uint32_t>(RoundUpToLine(max_payload));
  uint64_t offset = sizeof(ControlBlock);
  g.subscribers_offset = static_cast<uint32_t>(offset);
  offset += uint64_t{max_subscribers} * sizeof(SubscriberState);
  g.slots_offset = static_cast<uint32_t>(offset);
  offset += uint64_t{slot_count} * sizeof(SlotHeader);
  g.index_offset = static_cast<uint32_t>(offset);
  offset += RoundUpToLine(uint64_t{slot_count} * sizeof(uint32_t));
  g.payload_offset = static_cast<uint32_t>(offset);
  offset += uint64_t{slot_count} * g.slot_stride;
  if (offset > kMaxSegmentSize) return false;
  g.total_size = offset;
  out = g;
  return true;
}

// The atomics every shared access goes through.
template <typename T>
inline T LoadAcquire(const T* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <typename T>
inline T LoadRelaxed(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <typename T>
inline T LoadSeqCst(const T* p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
template <typename T>
inline void StoreRelease(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
template <typename T>
inline void StoreRelaxed(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELAXED);
}
template <typename T>
inline void StoreSeqCst(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
// Compare-and-swap; on failure `expected` gets the current value.
inline bool CompareExchange(uint32_t* p, uint32_t& expected, uint32_t desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, /*weak=*/false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
inline uint32_t FetchOr(uint32_t* p, uint32_t bits) {
  return __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}
inline uint32_t FetchAnd(uint32_t* p, uint32_t bits) {
  return __atomic_fetch_and(p, bits, __ATOMIC_SEQ_CST);
}
inline uint32_t FetchAdd(uint32_t* p, uint32_t n) {
  return __atomic_fetch_add(p, n, __ATOMIC_SEQ_CST);
}
inline void FenceSeqCst() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

}  // namespace ipcbox::channel_internal

#endif  // IPCBOX_CHANNEL_INTERNAL_LAYOUT_H_
