#include "ipcbox/core/unique_name.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"

namespace ipcbox {
namespace {

// Room left for the prefix in a semaphore name: the leading '/', then
// ".<pid>" with a pid of up to 10 digits, then "." and 16 hex digits.
constexpr size_t kMaxPrefix = kMaxSemaphoreNameLength - (1 + 10) - (1 + 16);

std::string CleanPrefix(absl::string_view prefix) {
  if (prefix.empty()) prefix = "ipcbox";
  if (prefix.size() > kMaxPrefix) prefix = prefix.substr(0, kMaxPrefix);
  std::string clean(prefix);
  for (char& c : clean) {
    if (c == '/' || c == '\0') c = '_';
  }
  return clean;
}

// 64 bits from the kernel's generator (getrandom, Linux 3.17). Older
// kernels get the monotonic clock with a per-process call counter in the
// top bits, so two calls in one process still differ; the pid in the name
// separates processes, and creation with O_EXCL catches what is left.
// (absl::BitGen would add Abseil's random library, tens of KiB, to every
// program that names an IPC object.)
uint64_t RandomBits() {
  uint64_t bits;
  if (::getrandom(&bits, sizeof(bits), GRND_NONBLOCK) == sizeof(bits)) {
    return bits;
  }
  static std::atomic<uint32_t> calls{0};
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t nanos = static_cast<uint64_t>(now.tv_sec) * 1000000000u +
                         static_cast<uint64_t>(now.tv_nsec);
  const uint64_t call = calls.fetch_add(1, std::memory_order_relaxed);
  return (call << 40) | (nanos & ((uint64_t{1} << 40) - 1));
}

// "<prefix>.<pid>.<random>", the part shared by both kinds of name. After
// fork() the pid tells parent and child apart even if both drew the same
// bits.
std::string UniqueBase(absl::string_view prefix) {
  return absl::StrCat(CleanPrefix(prefix), ".", static_cast<long>(::getpid()),
                      ".", absl::Hex(RandomBits(), absl::kZeroPad16));
}

}  // namespace

std::string UniqueName(absl::string_view prefix) {
  return absl::StrCat("/", UniqueBase(prefix));
}

std::string UniqueTempPath(absl::string_view prefix) {
  const char* env = std::getenv("TEST_TMPDIR");
  absl::string_view dir = (env != nullptr && env[0] != '\0') ? env : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return absl::StrCat(dir, dir == "/" ? "" : "/", UniqueBase(prefix));
}

}  // namespace ipcbox
