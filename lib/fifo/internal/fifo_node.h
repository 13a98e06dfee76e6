// fifo_node.h
//
// Internal to lib/fifo: the file-system side of a FIFO, shared by `Fifo`
// (creation, removal) and the open functions. Every path goes through
// `CheckFifoPath()` before a system call sees it, and every open refuses to
// follow a symbolic link at the path and checks, on the open descriptor,
// that it got a FIFO.
//
// Example (a `Fifo` making its FIFO, an open of it, and the removal):
//
//   absl::StatusOr<NodeId> node = MakeFifo(path, Permissions::OwnerOnly());
//   if (!node.ok()) return node.status();   // kAlreadyExists: path taken
//   absl::StatusOr<Fd> fd = OpenFifoEnd(path, O_RDONLY | O_NONBLOCK);
//   absl::Status removed = UnlinkIfSame(path, *node);  // not a newer FIFO

#ifndef IPCBOX_FIFO_INTERNAL_FIFO_NODE_H_
#define IPCBOX_FIFO_INTERNAL_FIFO_NODE_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {
namespace fifo_internal {

// Which file a path named when it was looked at, to notice that it has been
// replaced since (st_dev and st_ino of one lstat()).
struct NodeId {
  dev_t device = 0;
  ino_t inode = 0;

  static NodeId Of(const struct stat& st) { return {st.st_dev, st.st_ino}; }
  friend bool operator==(NodeId a, NodeId b) {
    return a.device == b.device && a.inode == b.inode;
  }
  friend bool operator!=(NodeId a, NodeId b) { return !(a == b); }
};

// OK for a path a system call may see: not empty, no NUL byte, shorter than
// PATH_MAX. kInvalidArgument naming the path and the rule otherwise.
// Longer components (NAME_MAX) are left to the kernel's ENAMETOOLONG.
absl::Status CheckFifoPath(absl::string_view path);

// "a regular file", "a symbolic link (not followed)", ... for messages.
const char* FileTypeName(mode_t st_mode);

// kFailedPrecondition: `path` is a `FileTypeName()`, not a FIFO.
absl::Status NotAFifoError(absl::string_view path, mode_t st_mode);

// lstat()s `path` (never following a symbolic link) and returns its
// identity if it is a FIFO. NotFound (ENOENT's status) if nothing is there,
// `NotAFifoError()` if something else is.
absl::StatusOr<NodeId> LstatFifo(const std::string& path);

// Opens the FIFO at `path` with `flags` (O_RDONLY or O_WRONLY, optionally
// O_NONBLOCK; O_NOFOLLOW and O_CLOEXEC are added). lstat() first, so that
// nothing but a FIFO is ever opened (opening a device node can have side
// effects), then fstat() on the descriptor, so that a path swapped in
// between is caught too. ENXIO (O_WRONLY | O_NONBLOCK without a reader)
// comes back as `NoReaderError()`. A blocking open waits in the kernel for
// the peer, retrying EINTR.
absl::StatusOr<Fd> OpenFifoEnd(const std::string& path, int flags);

// Creates the FIFO with mkfifo() and gives it exactly `permissions`, which
// the umask may have narrowed (see the comment in the .cc file for how).
// Returns its identity. EEXIST is returned as is (kAlreadyExists); on any
// later failure the new FIFO is removed again.
absl::StatusOr<NodeId> MakeFifo(const std::string& path,
                                Permissions permissions);

// Unlinks `path` if it still names the node `expected`. OK if the name is
// already gone; kFailedPrecondition, nothing removed, if it names another
// file now. (A check then an unlink: a path replaced in the instant between
// them is still removed. Linux has no unlink-by-descriptor to close that.)
absl::Status UnlinkIfSame(const std::string& path, NodeId expected);

}  // namespace fifo_internal
}  // namespace ipcbox

#endif  // IPCBOX_FIFO_INTERNAL_FIFO_NODE_H_
