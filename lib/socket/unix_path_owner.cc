#include "ipcbox/socket/unix_path_owner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {

absl::StatusOr<UnixPathOwner> UnixPathOwner::Claim(absl::string_view path,
                                                   mode_t mode) {
  UnixPathOwner owner;
  owner.path_ = std::string(path);
  struct stat st;
  if (::lstat(owner.path_.c_str(), &st) != 0) {
    return ErrnoError(errno, "lstat", path);
  }
  absl::string_view replaced;
  if (S_ISLNK(st.st_mode)) {
    replaced = "a symlink replaced the socket just bound; it was not followed";
  } else if (!S_ISSOCK(st.st_mode)) {
    replaced = "the path is not the socket just bound; someone replaced it";
  } else if (st.st_uid != ::geteuid()) {
    replaced =
        "the socket there belongs to another user; someone replaced "
        "the socket just bound";
  } else if ((st.st_mode & 07777) != mode) {
    replaced =
        "the socket there does not have the mode it was bound with: "
        "someone replaced it (or a default ACL of the directory "
        "overrides the umask); its mode was left alone";
  }
  if (!replaced.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bind(", QuoteForMessage(path), "): ", replaced));
  }
  owner.device_ = st.st_dev;
  owner.inode_ = st.st_ino;
  owner.pid_ = ::getpid();
  return owner;
}

UnixPathOwner::UnixPathOwner(UnixPathOwner&& other) noexcept
    : path_(std::move(other.path_)),
      device_(other.device_),
      inode_(other.inode_),
      pid_(other.pid_) {
  other.pid_ = 0;
}

UnixPathOwner& UnixPathOwner::operator=(UnixPathOwner&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    device_ = other.device_;
    inode_ = other.inode_;
    pid_ = other.pid_;
    other.pid_ = 0;
  }
  return *this;
}

void UnixPathOwner::Remove() {
  if (pid_ == 0) return;
  const int saved_errno = errno;  // destructors run on error paths
  struct stat st;
  if (pid_ == ::getpid() && ::lstat(path_.c_str(), &st) == 0 &&
      S_ISSOCK(st.st_mode) && st.st_dev == device_ && st.st_ino == inode_) {
    ::unlink(path_.c_str());
  }
  errno = saved_errno;
  Disown();
}

void UnixPathOwner::Disown() {
  pid_ = 0;
  path_.clear();
}

}  // namespace ipcbox
