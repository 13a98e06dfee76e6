#include "ipcbox/core/permissions.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/format_mode.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {

absl::StatusOr<Permissions> Permissions::FromMode(mode_t mode) {
  constexpr mode_t kAccessBits = 0777;
  if ((mode & ~kAccessBits) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "permissions ", FormatMode(mode), " have bits outside 0777 (",
        FormatMode(mode & ~kAccessBits),
        ": setuid, setgid, sticky or file-type bits)"));
  }
  return Permissions(mode);
}

absl::Status ApplyPermissions(int fd, Permissions perms,
                              absl::string_view object) {
  if (RetryOnEintr([&] { return ::fchmod(fd, perms.mode()); }) != 0) {
    return ErrnoError(errno, "fchmod", object);
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
