// byte_buffer.h
//
// `ByteBuffer` is a fixed-capacity byte queue over memory that someone else
// owns: `ConcurrentServer` carves every connection's input and output
// buffers out of one allocation made at start. Bytes are appended at the
// end and consumed from the front; the free space is kept contiguous by
// moving the unconsumed bytes to the front when space is asked for, so a
// receive or a handler's write always gets one span. Nothing here
// allocates.
//
// Example:
//
//   ByteBuffer in(memory, 4096);
//   absl::Span<char> space = in.Writable();
//   size_t n = ...receive into space...;
//   in.Commit(n);
//   in.Consume(Parse(in.Readable()));

#ifndef IPCBOX_SOCKET_SERVER_BYTE_BUFFER_H_
#define IPCBOX_SOCKET_SERVER_BYTE_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "absl/types/span.h"

namespace ipcbox {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(char* memory, size_t capacity)
      : memory_(memory), capacity_(capacity) {}

  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  bool full() const { return size() == capacity_; }
  size_t capacity() const { return capacity_; }
  size_t free_space() const { return capacity_ - size(); }

  // The bytes queued, oldest first.
  absl::Span<const char> Readable() const {
    return absl::Span<const char>(memory_ + begin_, size());
  }

  // All the free space, as one span. Moves the queued bytes to the front
  // first if some were consumed (a memmove of at most `capacity()` bytes).
  absl::Span<char> Writable() {
    if (begin_ > 0) {
      std::memmove(memory_, memory_ + begin_, size());
      end_ -= begin_;
      begin_ = 0;
    }
    return absl::Span<char>(memory_ + end_, capacity_ - end_);
  }

  // Appends the first `n` bytes of the span `Writable()` returned. More
  // than that span holds is clamped to it (a caller's miscount must not
  // make the buffer claim memory it does not own); returns what was kept.
  size_t Commit(size_t n) {
    n = std::min(n, capacity_ - end_);
    end_ += n;
    return n;
  }

  // Drops the `n` oldest bytes (all of them if `n` is larger); returns how
  // many were dropped.
  size_t Consume(size_t n) {
    n = std::min(n, size());
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
    return n;
  }

  void Clear() { begin_ = end_ = 0; }

 private:
  char* memory_ = nullptr;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first queued byte
  size_t end_ = 0;    // one past the last queued byte
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_BYTE_BUFFER_H_
