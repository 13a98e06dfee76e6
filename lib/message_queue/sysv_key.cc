#include "ipcbox/message_queue/sysv_key.h"

#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"

namespace ipcbox::sysv {

absl::StatusOr<IpcKey> IpcKey::FromPath(const char* path, int project_id) {
  if (project_id < 1 || project_id > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ftok project id ", project_id,
        " is outside 1..255 (ftok keeps only its low 8 bits, and 0 is "
        "unspecified)"));
  }
  // ftok() would fail too, but with a bare errno; say which file and why it
  // matters, since the path is usually a convention between two programs.
  struct stat st;
  if (::stat(path, &st) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(
          "ftok path ", QuoteForMessage(path),
          " does not exist: a System V key is derived from an existing "
          "file, which every process using the key must see"));
    }
    return ErrnoError(err, "stat (for ftok)", path);
  }
  const key_t key = ::ftok(path, project_id);
  if (key == -1) {
    const int err = errno;
    return ErrnoError(err, "ftok", path);
  }
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

std::string IpcKey::ToString() const {
  if (is_private()) return "IPC_PRIVATE";
  return absl::StrCat("key 0x", absl::Hex(static_cast<uint32_t>(value_), absl::kZeroPad8));
}

}  // namespace ipcbox::sysv
