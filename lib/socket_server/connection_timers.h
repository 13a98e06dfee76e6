// connection_timers.h
//
// `ConnectionTimers` holds the deadlines of a fixed table of connections
// (`ConcurrentServer`'s idle and write-stall timeouts) in two intrusive
// lists over arrays allocated once. Every entry of one list has the same
// timeout, so appending an entry whose deadline is "now + that timeout"
// keeps the list sorted: the earliest deadline is always at the front,
// arming and disarming are O(1), and finding the expired entries reads only
// the fronts. Nothing here allocates after `Init()`.
//
// Example (one idle timeout for every connection):
//
//   ConnectionTimers timers;
//   if (!timers.Init(max_connections)) return ...;
//   timers.Arm(slot, ConnectionTimers::kIdle, now_ns + idle_ns);  // activity
//   while (timers.FrontExpired(ConnectionTimers::kIdle, now_ns)) {
//     Close(timers.Front(ConnectionTimers::kIdle));   // which Disarm()s it
//   }

#ifndef IPCBOX_SOCKET_SERVER_CONNECTION_TIMERS_H_
#define IPCBOX_SOCKET_SERVER_CONNECTION_TIMERS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>

namespace ipcbox {

class ConnectionTimers {
 public:
  // Which list an entry is on.
  enum List : uint8_t { kIdle = 0, kStall = 1, kNone = 2 };
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  // Room for `slots` entries, all on no list. False if out of memory.
  bool Init(size_t slots) {
    nodes_.reset(new (std::nothrow) Node[slots]);
    slots_ = nodes_ == nullptr ? 0 : slots;
    return nodes_ != nullptr;
  }

  // Puts `slot` at the back of `list` with `deadline_ns` (taking it off the
  // list it was on). The caller keeps each list's deadlines non-decreasing.
  void Arm(size_t slot, List list, int64_t deadline_ns) {
    if (slot >= slots_ || list == kNone) return;
    Disarm(slot);
    Node& node = nodes_[slot];
    node.list = list;
    node.deadline_ns = deadline_ns;
    node.prev = tail_[list];
    node.next = kNoSlot;
    if (tail_[list] != kNoSlot) {
      nodes_[tail_[list]].next = static_cast<uint32_t>(slot);
    } else {
      head_[list] = static_cast<uint32_t>(slot);
    }
    tail_[list] = static_cast<uint32_t>(slot);
  }

  // Takes `slot` off its list, if it is on one.
  void Disarm(size_t slot) {
    if (slot >= slots_) return;
    Node& node = nodes_[slot];
    if (node.list == kNone) return;
    const List list = static_cast<List>(node.list);
    if (node.prev != kNoSlot) {
      nodes_[node.prev].next = node.next;
    } else {
      head_[list] = node.next;
    }
    if (node.next != kNoSlot) {
      nodes_[node.next].prev = node.prev;
    } else {
      tail_[list] = node.prev;
    }
    node = Node();
  }

  List list_of(size_t slot) const {
    return slot < slots_ ? static_cast<List>(nodes_[slot].list) : kNone;
  }

  // True if `list` is not empty and its earliest deadline is at or before
  // `now_ns`; then `Front(list)` is that entry's slot.
  bool FrontExpired(List list, int64_t now_ns) const {
    return head_[list] != kNoSlot && nodes_[head_[list]].deadline_ns <= now_ns;
  }
  size_t Front(List list) const { return head_[list]; }

  // The earliest deadline on either list; kNever if both are empty.
  int64_t NextDeadlineNs() const {
    int64_t next = kNever;
    for (int list = 0; list < 2; ++list) {
      if (head_[list] != kNoSlot && nodes_[head_[list]].deadline_ns < next) {
        next = nodes_[head_[list]].deadline_ns;
      }
    }
    return next;
  }

 private:
  static constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();
  struct Node {
    int64_t deadline_ns = kNever;
    uint32_t prev = kNoSlot;
    uint32_t next = kNoSlot;
    uint8_t list = kNone;
  };

  std::unique_ptr<Node[]> nodes_;
  size_t slots_ = 0;
  uint32_t head_[2] = {kNoSlot, kNoSlot};
  uint32_t tail_[2] = {kNoSlot, kNoSlot};
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_CONNECTION_TIMERS_H_
