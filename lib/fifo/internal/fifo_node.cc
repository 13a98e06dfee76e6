#include "ipcbox/fifo/internal/fifo_node.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/format_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/fifo/no_reader.h"

namespace ipcbox {
namespace fifo_internal {
namespace {

constexpr mode_t kAccessBits = 0777;

// The name under which the kernel resolves an open descriptor back to its
// inode: the file itself, never a path lookup, so a renamed or replaced
// path does not matter.
std::string ProcFdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

// Gives the FIFO that `node` (an O_PATH descriptor) names the mode bits
// `permissions`, if the umask changed them.
//
// mkfifo() filters its mode through the umask, like open(O_CREAT); the
// house rule is the exact mode whatever the umask (see permissions.h). The
// ways to change the mode afterwards:
//   - chmod(path) follows a symbolic link and acts on whatever the path
//     names by then: in a directory others can write, that may not be our
//     FIFO any more;
//   - fchmod() needs a descriptor, but opening a FIFO for reading or
//     writing is an event its peers see: a writer blocked in open() would
//     complete against our transient read end and then get EPIPE;
//   - an O_PATH descriptor refers to the inode without opening the FIFO
//     (the reader and writer counts do not change), but fchmod() on it fails
//     with EBADF. chmod() through /proc/self/fd/N changes exactly the inode
//     the descriptor refers to; glibc's fchmodat(AT_SYMLINK_NOFOLLOW) does
//     the same.
// So: O_PATH, and chmod through /proc, and only when the bits differ, so
// that a board with a suitable umask does not even need /proc.
absl::Status ApplyExactMode(const Fd& node, const struct stat& st,
                            Permissions permissions, const std::string& path) {
  if ((st.st_mode & kAccessBits) == permissions.mode()) return absl::OkStatus();
  const std::string via_proc = ProcFdPath(node.get());
  if (::chmod(via_proc.c_str(), permissions.mode()) == 0) {
    return absl::OkStatus();
  }
  const int err = errno;
  if (err == ENOENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mkfifo(", QuoteForMessage(path), "): the umask left mode ",
        FormatMode(st.st_mode & kAccessBits), " instead of ",
        FormatMode(permissions.mode()),
        ", and /proc is not mounted to correct it on the inode (", via_proc,
        ")"));
  }
  return ErrnoError(err, "chmod", via_proc);
}

}  // namespace

absl::Status CheckFifoPath(absl::string_view path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("FIFO path is empty");
  }
  if (path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FIFO path ", QuoteForMessage(path), " contains a NUL byte"));
  }
  if (path.size() >= PATH_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FIFO path ", QuoteForMessage(path), " is too long (", path.size(),
        " bytes; PATH_MAX is ", PATH_MAX, " with the terminating NUL)"));
  }
  return absl::OkStatus();
}

const char* FileTypeName(mode_t st_mode) {
  if (S_ISFIFO(st_mode)) return "a FIFO";
  if (S_ISREG(st_mode)) return "a regular file";
  if (S_ISLNK(st_mode)) return "a symbolic link (not followed)";
  if (S_ISDIR(st_mode)) return "a directory";
  if (S_ISSOCK(st_mode)) return "a socket";
  if (S_ISCHR(st_mode)) return "a character device";
  if (S_ISBLK(st_mode)) return "a block device";
  return "a file of unknown type";
}

absl::Status NotAFifoError(absl::string_view path, mode_t st_mode) {
  return absl::FailedPreconditionError(absl::StrCat(
      QuoteForMessage(path), " is ", FileTypeName(st_mode), ", not a FIFO"));
}

absl::StatusOr<NodeId> LstatFifo(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return ErrnoError(errno, "lstat", path);
  }
  if (!S_ISFIFO(st.st_mode)) return NotAFifoError(path, st.st_mode);
  return NodeId::Of(st);
}

absl::StatusOr<Fd> OpenFifoEnd(const std::string& path, int flags) {
  if (absl::StatusOr<NodeId> node = LstatFifo(path); !node.ok()) {
    return node.status();
  }
  const int raw = RetryOnEintr(
      [&] { return ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC); });
  if (raw < 0) {
    const int err = errno;
    if (err == ENXIO) return NoReaderError(path);
    if (err == ELOOP) {
      // lstat() saw a FIFO a moment ago: the path has been replaced by a
      // symbolic link since, and O_NOFOLLOW refused it.
      return NotAFifoError(path, S_IFLNK);
    }
    return ErrnoError(err, "open", path);
  }
  Fd fd(raw);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, "fstat", path);
  if (!S_ISFIFO(st.st_mode)) return NotAFifoError(path, st.st_mode);
  return fd;
}

absl::StatusOr<NodeId> MakeFifo(const std::string& path,
                                Permissions permissions) {
  // The umask can only remove bits from this mode, so the FIFO never exists
  // with more access than asked for, even before ApplyExactMode().
  if (::mkfifo(path.c_str(), permissions.mode()) != 0) {
    return ErrnoError(errno, "mkfifo", path);
  }
  const int raw = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    // Someone removed or replaced what we created within microseconds;
    // whatever is there now is not ours to remove.
    return ErrnoError(errno, "open(O_PATH)", path);
  }
  Fd node(raw);
  struct stat st;
  if (::fstat(node.get(), &st) != 0) {
    const int err = errno;
    return ErrnoError(err, "fstat", path);
  }
  if (!S_ISFIFO(st.st_mode)) return NotAFifoError(path, st.st_mode);
  const NodeId id = NodeId::Of(st);
  if (absl::Status s = ApplyExactMode(node, st, permissions, path); !s.ok()) {
    UnlinkIfSame(path, id).IgnoreError();
    return s;
  }
  return id;
}

absl::Status UnlinkIfSame(const std::string& path, NodeId expected) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::OkStatus();
    return ErrnoError(err, "lstat", path);
  }
  if (NodeId::Of(st) != expected) {
    return absl::FailedPreconditionError(absl::StrCat(
        QuoteForMessage(path),
        " now names another file than the FIFO this process used; not "
        "removed"));
  }
  if (::unlink(path.c_str()) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::OkStatus();
    return ErrnoError(err, "unlink", path);
  }
  return absl::OkStatus();
}

}  // namespace fifo_internal
}  // namespace ipcbox
