// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts: a shared segment with
// a ring of slots, one sample written in place, the head published with a
// release store and sleepers woken with a futex.
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace {

constexpr uint32_t kSlots = 8;
constexpr uint32_t kPayload = 4096;

struct Segment {
  std::atomic<uint32_t> head;
  std::atomic<uint32_t> sleepers;
  uint32_t lengths[kSlots];
  char slots[kSlots][kPayload];
};

}  // namespace

int main() {
  int fd = shm_open("/fp", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return 1;
  if (ftruncate(fd, sizeof(Segment)) != 0) return 1;
  void* p =
      mmap(nullptr, sizeof(Segment), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 1;
  Segment* segment = static_cast<Segment*>(p);
  const uint32_t head = segment->head.load(std::memory_order_relaxed);
  std::memcpy(segment->slots[head % kSlots], "abc", 3);
  segment->lengths[head % kSlots] = 3;
  segment->head.store(head + 1, std::memory_order_release);
  if (segment->sleepers.load(std::memory_order_acquire) != 0) {
    syscall(SYS_futex, &segment->head, FUTEX_WAKE, INT32_MAX, nullptr, nullptr,
            0);
  }
  munmap(p, sizeof(Segment));
  close(fd);
  return shm_unlink("/fp") == 0 ? 0 : 1;
}
