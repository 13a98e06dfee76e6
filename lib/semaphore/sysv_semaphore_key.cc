#include "ipcbox/semaphore/sysv_semaphore_key.h"

#include <sys/ipc.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/quote.h"

namespace ipcbox::sysv {

absl::StatusOr<SemaphoreKey> SemaphoreKey::FromPath(const std::string& path,
                                                    int project_id) {
  if (project_id < 1 || project_id > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ftok(", QuoteForMessage(path), ", ", project_id,
        "): the project id must be 1 to 255 (ftok keeps only 8 bits, and 0 "
        "is undefined)"));
  }
  const key_t key = ::ftok(path.c_str(), project_id);
  if (key == -1) return ErrnoError(errno, "ftok", path);
  return SemaphoreKey(key);
}

SemaphoreKey SemaphoreKey::FromName(const PosixName& name) {
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits.
  for (const char c : name.view()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  const key_t key = static_cast<key_t>(hash);
  return SemaphoreKey(key == IPC_PRIVATE ? 1 : key);
}

std::string SemaphoreKey::ToString() const {
  if (is_private()) return "IPC_PRIVATE";
  return absl::StrCat("0x", absl::Hex(static_cast<uint32_t>(key_), absl::kZeroPad8));
}

}  // namespace ipcbox::sysv
