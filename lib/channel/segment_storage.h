// segment_storage.h
//
// `SegmentStorage` is where `Publisher` and `Subscriber` keep their channel
// segment (the mapping, descriptors and validated geometry of
// internal/segment.h) without that header being part of theirs: the segment
// is built in place in a byte array, so holding it costs no allocation and
// reaching it no indirection. Only lib/channel's own sources, which include
// internal/segment.h, can reach the segment (`get()` is defined there).
//
// Example (inside publisher.cc):
//
//   SegmentStorage storage(*std::move(segment));  // takes the Segment
//   const Geometry& g = storage.get().geometry();

#ifndef IPCBOX_CHANNEL_SEGMENT_STORAGE_H_
#define IPCBOX_CHANNEL_SEGMENT_STORAGE_H_

#include <cstddef>

namespace ipcbox::channel_internal {

class Segment;

class SegmentStorage {
 public:
  // Room for a Segment on every architecture ipcbox builds for (680 bytes
  // on 64-bit, 648 on armv7 today); segment.cc checks that it fits.
  static constexpr size_t kSize = 768;
  static constexpr size_t kAlignment = 8;

  // An empty segment (maps nothing).
  SegmentStorage() noexcept;
  // Takes `segment` over.
  explicit SegmentStorage(Segment&& segment) noexcept;
  SegmentStorage(SegmentStorage&& other) noexcept;
  SegmentStorage& operator=(SegmentStorage&& other) noexcept;
  SegmentStorage(const SegmentStorage&) = delete;
  SegmentStorage& operator=(const SegmentStorage&) = delete;
  ~SegmentStorage();

  // Defined inline in internal/segment.h.
  inline Segment& get();
  inline const Segment& get() const;

 private:
  alignas(kAlignment) unsigned char bytes_[kSize];
};

}  // namespace ipcbox::channel_internal

#endif  // IPCBOX_CHANNEL_SEGMENT_STORAGE_H_
