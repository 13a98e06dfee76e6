#include "ipcbox/core/sysv_key.h"

#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/quote.h"

namespace ipcbox::sysv {

absl::StatusOr<IpcKey> IpcKey::FromPath(absl::string_view path,
                                        int project_id) {
  if (project_id < 1 || project_id > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ftok(", QuoteForMessage(path), ", ", project_id,
        "): the project id must be 1..255 (ftok keeps only its low 8 bits, "
        "so larger ids alias smaller ones, and 0 is unspecified)"));
  }
  const std::string owned_path(path);
  // ftok() would fail too, but with a bare errno. Say which file and why it
  // matters: the path is a convention between programs, often a stale one.
  struct stat st;
  if (::stat(owned_path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(
          "ftok path ", QuoteForMessage(path),
          " does not exist: a System V key is made from an existing file "
          "that every process using the key must see"));
    }
    return ErrnoError(err, "stat (for ftok)", path);
  }
  const key_t key = ::ftok(owned_path.c_str(), project_id);
  if (key == -1) return ErrnoError(errno, "ftok", path);
  return IpcKey(key);
}

absl::StatusOr<IpcKey> IpcKey::FromValue(key_t value) {
  if (value == IPC_PRIVATE) {
    return absl::InvalidArgumentError(
        "System V key 0 is IPC_PRIVATE; use IpcKey::Private() to mean it");
  }
  if (value == static_cast<key_t>(-1)) {
    return absl::InvalidArgumentError(
        "System V key -1 is what a failed ftok() returns, not a key");
  }
  return IpcKey(value);
}

IpcKey IpcKey::FromName(const PosixName& name) {
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (const char c : name.view()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  // 0 and -1 are what `FromValue()` refuses; two names more on key 1.
  const key_t key = static_cast<key_t>(hash);
  return IpcKey(key == IPC_PRIVATE || key == static_cast<key_t>(-1) ? 1 : key);
}

std::string IpcKey::ToString() const {
  if (is_private()) return "IPC_PRIVATE";
  return absl::StrCat(
      "key 0x", absl::Hex(static_cast<uint32_t>(value_), absl::kZeroPad8));
}

}  // namespace ipcbox::sysv
