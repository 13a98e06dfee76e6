// fifo.h
//
// `Fifo` is a named pipe as a file-system object: the name that unrelated
// processes use to find one another. It creates the FIFO (mkfifo) with an
// exact mode, refuses anything at the path that is not a FIFO, and removes
// the FIFO it created when it goes out of scope, so that a crashed test or
// an early return leaves nothing behind. Data never goes through a `Fifo`:
// open its ends with the functions in fifo_open.h, which give the
// `PipeReader` and `PipeWriter` of lib/pipe.
//
// Example (the side that owns the channel):
//
//   absl::StatusOr<Fifo> fifo =
//       Fifo::Create("/run/sensor.fifo", OpenMode::kCreateExclusive,
//                    Permissions::OwnerOnly());
//   if (!fifo.ok()) return fifo.status();
//   absl::StatusOr<PipeReader> reader =
//       OpenFifoReader(fifo->path(), Deadline::After(absl::Seconds(5)));
//   ...                       // read until end-of-stream
//   // ~Fifo unlinks /run/sensor.fifo
//
// What is at the path decides, with the `OpenMode`:
//
//   mode               | nothing    | a FIFO              | anything else
//   -------------------+------------+---------------------+----------------
//   kCreateExclusive   | create     | kAlreadyExists      | kAlreadyExists
//   kOpenOrCreate      | create     | use it              | kFailedPrecondition
//   kOpenExisting      | kNotFound  | use it              | kFailedPrecondition
//   kPurgeAndCreate    | create     | unlink, create      | kFailedPrecondition
//
// "Anything else" includes a symbolic link, even one to a FIFO: it is never
// followed (lstat, O_NOFOLLOW), because in a shared directory a link is how
// someone else redirects a privileged process to a file of their choosing.
// Nothing but a FIFO is ever removed either: kPurgeAndCreate clears a stale
// FIFO left by a crashed run, not a regular file that a typo in a path
// pointed at.
//
// Permissions: the FIFO this object creates has exactly `permissions`
// (default 0600), whatever the umask; see `ApplyExactMode()` in
// internal/fifo_node.cc for how that is done without opening the FIFO for
// reading or writing, which its peers would notice. Until that correction,
// a few microseconds, the FIFO has the mode the umask left: never more
// access than asked for, possibly less (a peer opening it in that instant
// may get EACCES). An existing FIFO keeps its mode. The seeds create theirs
// 0666 / 0664: pass that explicitly.
//
// Ownership: only a `Fifo` that created the FIFO (`created()`) removes it on
// destruction; one that found it there never does, unless asked with
// `Remove()`. Removal checks that the path still names the same FIFO
// (device and inode), so a `Fifo` never unlinks a newer FIFO that another
// run created at the same path after this one was removed.

#ifndef IPCBOX_FIFO_FIFO_H_
#define IPCBOX_FIFO_FIFO_H_

#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/fifo/internal/fifo_node.h"

namespace ipcbox {

class Fifo {
 public:
  // Makes sure a FIFO exists at `path` as `mode` says (see the table above)
  // and returns the object that stands for it. Errors name the call and the
  // path: kInvalidArgument for an empty path, a NUL byte or one of PATH_MAX
  // bytes or more (checked before any system call), kNotFound for a missing
  // directory, and the statuses of mkfifo/lstat (EACCES, ENAMETOOLONG,
  // ENOTDIR, EROFS, ...). Nothing is left at the path on failure unless it
  // was there before.
  //
  // A FIFO found at the path rather than made (kOpenOrCreate,
  // kOpenExisting) must be owned by this user (or
  // `ownership.allowed_owner`) and, for kOpenOrCreate, be no wider than
  // `permissions`; else PermissionDenied naming its owner and mode. A
  // stranger's FIFO would let them feed the reader or read the writer.
  static absl::StatusOr<Fifo> Create(
      absl::string_view path, OpenMode mode = OpenMode::kCreateExclusive,
      Permissions permissions = Permissions::OwnerOnly(),
      const OwnershipPolicy& ownership = OwnershipPolicy());

  // A FIFO that must exist already: `Create(path, OpenMode::kOpenExisting)`.
  static absl::StatusOr<Fifo> Existing(absl::string_view path);

  // Stands for nothing; `path()` is empty and `Remove()` does nothing.
  Fifo() = default;

  Fifo(Fifo&& other) noexcept;
  Fifo& operator=(Fifo&& other) noexcept;
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;

  // Removes the FIFO if this object created it and it is still there.
  ~Fifo();

  const std::string& path() const { return path_; }

  // Whether this object created the FIFO, and so removes it when destroyed.
  bool created() const { return created_; }

  // Unlinks the FIFO now, whether or not this object created it, if the
  // path still names it. OK if the path is already gone (the peer removed
  // it: the seeds' programs both unlink). kFailedPrecondition, and nothing
  // removed, if the path now names another file. Afterwards this object
  // stands for nothing. Processes that have the FIFO open keep their ends:
  // the data keeps flowing, only the name is gone.
  ABSL_MUST_USE_RESULT absl::Status Remove();

  // Stops standing for the FIFO without removing it, e.g. to leave it for
  // the next run, and returns its path. Afterwards this object stands for
  // nothing.
  std::string Release();

 private:
  Fifo(std::string path, fifo_internal::NodeId node, bool created)
      : path_(std::move(path)), node_(node), created_(created) {}

  std::string path_;
  fifo_internal::NodeId node_;
  bool created_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_FIFO_H_
