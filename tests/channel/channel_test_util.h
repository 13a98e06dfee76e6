// Helpers shared by the channel tests and the mixed-architecture peer: a
// name guard that removes the channel's shm object even when a test fails,
// a replayable random seed, and samples whose every byte is a function of their
// sequence number, so that a torn, stale or misplaced sample is caught.

#ifndef IPCBOX_TESTS_CHANNEL_CHANNEL_TEST_UTIL_H_
#define IPCBOX_TESTS_CHANNEL_CHANNEL_TEST_UTIL_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "absl/types/span.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"

namespace ipcbox::testing {

// A unique channel name, removed (shm_unlink) when the guard goes.
class ChannelNameGuard {
 public:
  explicit ChannelNameGuard(const char* prefix)
      : name_(*PosixName::Create(UniqueName(prefix))) {}
  ~ChannelNameGuard() { ::shm_unlink(name_.c_str()); }
  ChannelNameGuard(const ChannelNameGuard&) = delete;
  ChannelNameGuard& operator=(const ChannelNameGuard&) = delete;
  const PosixName& name() const { return name_; }

 private:
  PosixName name_;
};

// The seed of a randomized test: $IPCBOX_CHANNEL_SEED if set (to replay a
// failure), else a fresh one. Printed, so that any run can be replayed.
inline uint64_t ReplayableSeed() {
  uint64_t seed;
  if (const char* s = std::getenv("IPCBOX_CHANNEL_SEED"); s && *s) {
    seed = std::strtoull(s, nullptr, 0);
  } else {
    seed = std::random_device()() ^ (uint64_t{std::random_device()()} << 32);
  }
  std::printf("IPCBOX_CHANNEL_SEED=%llu\n",
              static_cast<unsigned long long>(seed));
  return seed;
}

// Sample length for sequence `seq` in slots of `max` bytes: varies, at
// least 16 (the header below).
inline size_t SampleLength(uint64_t seq, size_t max) {
  if (max <= 16) return max;
  return 16 + static_cast<size_t>((seq * 2654435761u) % (max - 15));
}

inline uint8_t SampleByte(uint64_t seq, size_t i) {
  return static_cast<uint8_t>((seq * 131) ^ (i * 7) ^ (i >> 8));
}

// Writes sample `seq` of `length` bytes: the sequence (8 bytes, host
// order is little-endian on every architecture here), the length (8),
// then bytes derived from both.
inline void FillSample(absl::Span<char> slot, uint64_t seq, size_t length) {
  uint64_t header[2] = {seq, length};
  std::memcpy(slot.data(), header, length < 16 ? length : 16);
  for (size_t i = 16; i < length; ++i) {
    slot[i] = static_cast<char>(SampleByte(seq, i));
  }
}

// Whether `data` is a whole sample, and which: returns false for a torn
// or corrupted one.
inline bool CheckSample(absl::Span<const char> data, uint64_t* seq_out) {
  if (data.size() < 16) return false;
  uint64_t header[2];
  std::memcpy(header, data.data(), 16);
  if (header[1] != data.size()) return false;
  for (size_t i = 16; i < data.size(); ++i) {
    if (static_cast<uint8_t>(data[i]) != SampleByte(header[0], i)) {
      return false;
    }
  }
  *seq_out = header[0];
  return true;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_CHANNEL_CHANNEL_TEST_UTIL_H_
