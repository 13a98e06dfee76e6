// fifo.h
//
// `Fifo` is a named pipe as a file-system object: the name that unrelated
// processes use to find one another. It creates the FIFO (mkfifo) with
// exactly the permissions asked for (default 0600, whatever the umask),
// refuses anything at the path that is not a FIFO (a symbolic link is never
// followed), and removes the FIFO it created when it goes out of scope.
// Data never goes through a `Fifo`: open its ends with fifo_open.h, which
// gives lib/pipe's `PipeReader` and `PipeWriter`.
//
// Example (the side that owns the channel):
//
//   absl::StatusOr<Fifo> fifo = Fifo::Create("/run/sensor.fifo");
//   if (!fifo.ok()) return fifo.status();
//   absl::StatusOr<PipeReader> reader =
//       OpenFifoReader(fifo->path(), Deadline::After(absl::Seconds(5)));
//   ...                       // read until end-of-stream
//   // ~Fifo unlinks /run/sensor.fifo
//
// The peer that merely uses the FIFO takes `Fifo::OpenExisting(path)`, or
// `Fifo::Open(path, options)` with another `options.open_mode`. Only a `Fifo`
// that created the FIFO (`created()`) removes it, and only if the path still
// names that FIFO. lib/fifo's README.md has what each `OpenMode` does with
// what is at the path, and how the mode is made exact.

#ifndef IPCBOX_FIFO_FIFO_H_
#define IPCBOX_FIFO_FIFO_H_

#include <sys/types.h>

#include <string>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

// What `Fifo::Open()` does with the path. The defaults are the safe ones for
// the side that owns the FIFO (the `Fifo` that creates it removes it): create
// exclusively, owner-only.
struct FifoOptions {
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // Applied exactly (whatever the umask) to a FIFO this call creates. With
  // kOpenOrCreate, also the widest mode a FIFO found at the path may have.
  Permissions permissions = Permissions::OwnerOnly();
  // A FIFO found at the path rather than made must be owned by this user (or
  // `ownership.allowed_owner`).
  OwnershipPolicy ownership;
};

class Fifo {
 public:
  // Makes sure a FIFO exists at `path` as `options.open_mode` says (see
  // lib/fifo's README.md) and returns the object that stands for it. Errors
  // name the call and the path: kInvalidArgument for an empty path, a NUL byte
  // or one of PATH_MAX bytes or more (checked before any system call),
  // kNotFound for a missing directory, and the statuses of mkfifo/lstat
  // (EACCES, ENAMETOOLONG, ENOTDIR, EROFS, ...). Nothing is left at the path on
  // failure unless it was there before.
  //
  // A FIFO found at the path rather than made (kOpenOrCreate,
  // kOpenExisting) must be owned by this user (or
  // `options.ownership.allowed_owner`) and, for kOpenOrCreate, be no wider
  // than `options.permissions`; else PermissionDenied naming its owner and
  // mode. A stranger's FIFO would let them feed the reader or read the
  // writer.
  static absl::StatusOr<Fifo> Open(absl::string_view path,
                                   const FifoOptions& options = FifoOptions());

  // A new FIFO with `permissions`, owned (and removed) by the result: `Open`
  // with kCreateExclusive.
  static absl::StatusOr<Fifo> Create(
      absl::string_view path,
      Permissions permissions = Permissions::OwnerOnly());

  // A FIFO that must exist already, owned by this user: `Open` with
  // kOpenExisting.
  static absl::StatusOr<Fifo> OpenExisting(absl::string_view path);

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
  Fifo(std::string path, dev_t device, ino_t inode, bool created)
      : path_(std::move(path)),
        device_(device),
        inode_(inode),
        created_(created) {}

  std::string path_;
  // Which file the path named when this object took it (st_dev, st_ino),
  // so that a FIFO put there since is never removed in its place.
  dev_t device_ = 0;
  ino_t inode_ = 0;
  bool created_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_FIFO_H_
