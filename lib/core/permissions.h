// permissions.h
//
// `Permissions` are the access bits (rwx for owner, group, others) that a
// newly created IPC object or file gets. The default is 0600: only the
// creating user may use the object. Widen it on purpose (0660 for a group of
// cooperating daemons) rather than by accident.
//
// The mode is applied with `ApplyPermissions()` after creation, because the
// mode argument of open()/shm_open()/mq_open() is filtered through the
// process umask (or the directory's default ACL): with umask 077 a requested
// 0660 silently becomes 0600 and the peer daemon in the group cannot open
// the object. Which umask a firmware daemon runs with depends on who started
// it, so the library does not rely on it.
//
// Example:
//
//   Permissions perms = Permissions::OwnerOnly();
//   int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, perms.mode());
//   if (fd < 0) return ErrnoError(errno, "shm_open", name.view());
//   Fd owned(fd);
//   if (absl::Status s = ApplyPermissions(fd, perms, name.view()); !s.ok()) {
//     ::shm_unlink(name.c_str());
//     return s;
//   }

#ifndef IPCBOX_CORE_PERMISSIONS_H_
#define IPCBOX_CORE_PERMISSIONS_H_

#include <sys/types.h>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

class Permissions {
 public:
  // Owner read and write (0600), the default.
  constexpr Permissions() : mode_(0600) {}
  static constexpr Permissions OwnerOnly() { return Permissions(); }

  // Accepts any combination of the 0777 bits. Rejects, with
  // `absl::InvalidArgumentError` naming the mode in octal, anything else:
  // setuid, setgid and sticky bits (meaningless or dangerous on IPC objects)
  // and file-type bits (a sign that a stat() st_mode was passed as is).
  static absl::StatusOr<Permissions> FromMode(mode_t mode);

  constexpr mode_t mode() const { return mode_; }

  friend constexpr bool operator==(Permissions a, Permissions b) {
    return a.mode_ == b.mode_;
  }
  friend constexpr bool operator!=(Permissions a, Permissions b) {
    return a.mode_ != b.mode_;
  }

 private:
  explicit constexpr Permissions(mode_t mode) : mode_(mode) {}

  mode_t mode_;
};

// Sets the mode of the object open as `fd` to exactly `perms`, whatever the
// umask. `object` names it in the error message. Call it on an object this
// process has just created; on one it opened, fchmod fails with EPERM unless
// the process owns the object.
//
// Create the object with `perms.mode()` as the mode argument as well: the
// umask can only remove bits from it, so the object never exists, even
// briefly, with more access than asked for. fchmod then adds back whatever
// the umask removed. It works on the open descriptor, not on the path, so a
// name swapped in between by someone else is never changed.
ABSL_MUST_USE_RESULT absl::Status ApplyPermissions(int fd, Permissions perms,
                                                   absl::string_view object);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_PERMISSIONS_H_
