// sysv_message.h
//
// The pieces of a System V message exchange that are not the queue itself:
//
//   - `sysv::Message<N>`: a fixed-capacity message in the layout msgsnd() and
//     msgrcv() want (a long type, then up to N payload bytes). It lives
//     wherever the caller puts it (stack, member, static), so sending and
//     receiving through it copies nothing and never allocates.
//   - `sysv::TypeSelector`: which message a receive takes (msgrcv's msgtyp
//     and MSG_EXCEPT), checked before the call.
//   - `sysv::Truncation`: whether a message longer than the buffer is an
//     error (the default) or is cut to fit (MSG_NOERROR).
//
// Example:
//
//   sysv::Message<64> out;
//   out.set_type(2);
//   if (absl::Status s = out.SetPayload("hello"); !s.ok()) return s;
//   if (absl::Status s = queue.SendMessage(out); !s.ok()) return s;
//
//   sysv::Message<64> in;
//   absl::Status got =
//       queue.ReceiveMessage(in, sysv::TypeSelector::LowestUpTo(3));
//   // in.type() is the smallest type <= 3 that was queued; in.payload() its
//   // bytes.

#ifndef IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_H_
#define IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_H_

#include <sys/msg.h>

#include <cstddef>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ipcbox::sysv {

// Which queued message a receive takes. A selector is a plain value and is
// not checked when it is made; a receive with a bad one (a type <= 0 where a
// type is needed) fails with InvalidArgument before msgrcv() is called.
class TypeSelector {
 public:
  enum class Kind { kAny, kExactly, kLowestUpTo, kAnyExcept };

  // The oldest message, whatever its type (msgtyp 0): plain FIFO order.
  static constexpr TypeSelector Any() { return TypeSelector(Kind::kAny, 0); }
  // The oldest message of type `type` (> 0).
  static constexpr TypeSelector Exactly(long type) {
    return TypeSelector(Kind::kExactly, type);
  }
  // The oldest message of the smallest type that is <= `max_type` (> 0)
  // (msgtyp -max_type). Taking small types first makes the type a priority;
  // the kernel scans the whole queue to find it.
  static constexpr TypeSelector LowestUpTo(long max_type) {
    return TypeSelector(Kind::kLowestUpTo, max_type);
  }
  // The oldest message whose type is not `type` (> 0) (MSG_EXCEPT).
  static constexpr TypeSelector AnyExcept(long type) {
    return TypeSelector(Kind::kAnyExcept, type);
  }

  constexpr Kind kind() const { return kind_; }
  // The type given to the factory; 0 for Any().
  constexpr long type() const { return type_; }
  constexpr bool valid() const { return kind_ == Kind::kAny || type_ > 0; }

  // msgrcv()'s msgtyp argument and the flag that goes with it, for a valid
  // selector.
  constexpr long msgtyp() const {
    return kind_ == Kind::kLowestUpTo ? -type_ : type_;
  }
  constexpr int msgflg() const {
    return kind_ == Kind::kAnyExcept ? MSG_EXCEPT : 0;
  }

 private:
  constexpr TypeSelector(Kind kind, long type) : kind_(kind), type_(type) {}

  Kind kind_;
  long type_;
};

// What a receive does with a message longer than the buffer.
enum class Truncation {
  // Fail with InvalidArgument and leave the message in the queue.
  kReject,
  // Deliver the first buffer-size bytes; the rest is lost (MSG_NOERROR).
  kAllow,
};

namespace message_queue_internal {
// The layout msgsnd() and msgrcv() read and write.
template <size_t kCapacity>
struct RawMessage {
  long mtype;
  char mtext[kCapacity];
};
}  // namespace message_queue_internal

// A message of at most `kCapacity` payload bytes with its type, laid out as
// the kernel wants it. A plain value: copy it, keep it on the stack (mind
// large capacities), or in an object that lives as long as the exchange.
template <size_t kCapacity>
class Message {
  static_assert(kCapacity > 0, "a message needs room for at least one byte");

 public:
  static constexpr size_t capacity() { return kCapacity; }

  // Type 0 and a 0-byte payload; set a type > 0 before sending. Zero-fills
  // all kCapacity bytes: make large messages once, outside send loops.
  Message() : raw_{}, size_(0) {}

  long type() const { return raw_.mtype; }
  // Any value is stored; a send of a type <= 0 fails with InvalidArgument.
  void set_type(long type) { raw_.mtype = type; }

  // The payload: the first payload_size() bytes (binary: may hold NULs).
  absl::string_view payload() const {
    return absl::string_view(raw_.mtext, size_);
  }
  size_t payload_size() const { return size_; }

  // Copies `bytes` in as the payload. InvalidArgument (and no change) if it
  // does not fit.
  absl::Status SetPayload(absl::string_view bytes) {
    if (bytes.size() > kCapacity) return TooLong(bytes.size());
    if (!bytes.empty()) std::memcpy(raw_.mtext, bytes.data(), bytes.size());
    size_ = bytes.size();
    return absl::OkStatus();
  }

  // All kCapacity bytes, to fill in place; then `SetPayloadSize()`.
  absl::Span<char> mutable_buffer() {
    return absl::Span<char>(raw_.mtext, kCapacity);
  }
  absl::Status SetPayloadSize(size_t size) {
    if (size > kCapacity) return TooLong(size);
    size_ = size;
    return absl::OkStatus();
  }

  // The msgsnd()/msgrcv() view, for MessageQueue and raw calls.
  const void* raw() const { return &raw_; }
  void* raw() { return &raw_; }

 private:
  static absl::Status TooLong(size_t size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload of ", size, " bytes does not fit a Message<", kCapacity, ">"));
  }

  message_queue_internal::RawMessage<kCapacity> raw_;
  size_t size_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_H_
