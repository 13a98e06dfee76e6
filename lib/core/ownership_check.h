// ownership_check.h
//
// Whether an IPC object that already exists may be used by this process.
// "Open or create" finds an object that someone else may have made first:
// another user who creates `/dev/shm/shMemEx` at 0666 before a root daemon
// starts reads everything the daemon writes there and injects what it
// reads. So an opened (not created) object is accepted only if its owner is
// this process's effective uid (or one the caller names) and its mode is no
// wider than the caller would have created it with.
//
// Example (after shm_open found an existing object):
//
//   struct stat st;
//   if (::fstat(fd, &st) != 0) return ErrnoError(errno, "fstat", name);
//   absl::Status s = CheckOwnership("shared memory object", name, st.st_uid,
//                                   st.st_mode, options.permissions,
//                                   options.ownership);
//   if (!s.ok()) return s;  // PermissionDenied naming owner and mode
//
// Opting out (`check = false`) is for peers that really are other users
// with a wide mode, such as the seeds' programs.

#ifndef IPCBOX_CORE_OWNERSHIP_CHECK_H_
#define IPCBOX_CORE_OWNERSHIP_CHECK_H_

#include <sys/types.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

struct OwnershipPolicy {
  // Refuse an existing object owned by someone else or with a wider mode
  // than asked for. Turn off only for a peer you trust by other means.
  bool check = true;
  // Also accept objects owned by this uid (say, the daemon that creates
  // them); -1 accepts only the effective uid.
  uid_t allowed_owner = static_cast<uid_t>(-1);
};

// OK if `owner` is the effective uid or `policy.allowed_owner` and `mode`
// (its 0777 bits) has no bit that `widest` lacks, or if `policy.check` is
// false; otherwise PermissionDenied naming `kind`, `name`, owner and mode.
// `widest` is the mode the caller would have created the object with
// (open-or-create); without one (open-existing: the creator chose the
// mode), only the owner is checked.
absl::Status CheckOwnership(absl::string_view kind, absl::string_view name,
                            uid_t owner, mode_t mode,
                            std::optional<Permissions> widest,
                            const OwnershipPolicy& policy);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_OWNERSHIP_CHECK_H_
