// unix_path_owner.h
//
// `UnixPathOwner` is the right, and the duty, to remove the file that bind()
// created for a Unix socket. Every ipcbox socket holds one; only a socket
// that bound a filesystem path owns something (accepted and connected
// sockets, and sockets adopted from a descriptor, never do).
//
// Example (what a socket that binds does, right after its bind()):
//
//   absl::StatusOr<UnixPathOwner> owner =
//       UnixPathOwner::Claim("/run/app.sock", 0600);
//   if (!owner.ok()) return owner.status();  // not our socket: left alone
//   ...  // ~UnixPathOwner unlinks it, if it is still the file bind() made
//
// Removal is careful, because the path is a name in a shared directory that
// can change hands:
//   - only the process that bound the socket removes it: a forked child
//     that destroys its copy of the object (returning from main, say) must
//     not take the listening socket's name away from its parent;
//   - only if the path still names the very file bind() created (same
//     device and inode): if a new server replaced a stale file of ours, its
//     file is not ours to remove.

#ifndef IPCBOX_SOCKET_UNIX_PATH_OWNER_H_
#define IPCBOX_SOCKET_UNIX_PATH_OWNER_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

class UnixPathOwner {
 public:
  // Owns nothing.
  UnixPathOwner() = default;

  // Records the file at `path`, which bind() has just created with `mode`
  // (permission bits); fails, and leaves it alone, unless it is a socket of
  // this user with that mode: a symlink, another file, or another user's
  // socket there means someone replaced ours. A socket of this user with
  // the same mode, swapped in by the same user, cannot be told apart.
  static absl::StatusOr<UnixPathOwner> Claim(absl::string_view path,
                                             mode_t mode);

  UnixPathOwner(UnixPathOwner&& other) noexcept;
  UnixPathOwner& operator=(UnixPathOwner&& other) noexcept;
  UnixPathOwner(const UnixPathOwner&) = delete;
  UnixPathOwner& operator=(const UnixPathOwner&) = delete;

  ~UnixPathOwner() { Remove(); }

  bool owns() const { return pid_ != 0; }
  const std::string& path() const { return path_; }
  // The device and inode of the file bind() created, as Claim() found it.
  dev_t device() const { return device_; }
  ino_t inode() const { return inode_; }

  // Unlinks the path if this process created it and it is still our file;
  // owns nothing afterwards. Errors are ignored: there is nobody to tell
  // (it runs in destructors), and a path already gone is what we want.
  void Remove();

  // Stops owning the path without removing it.
  void Disown();

 private:
  std::string path_;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  pid_t pid_ = 0;  // the creating process; 0 when owning nothing
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_UNIX_PATH_OWNER_H_
