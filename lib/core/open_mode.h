// open_mode.h
//
// `OpenMode` says what a factory for a named IPC object (shared memory,
// semaphore, message queue, FIFO, lock file) does when the name is already
// taken or still free. It also decides ownership: an object that created the
// resource may remove it when asked; one that merely opened it never does.
//
// Example:
//
//   int fd = ::shm_open(name.c_str(), O_RDWR | OpenModeFlags(mode), 0600);
//   if (fd < 0) return ErrnoError(errno, "shm_open", name.view());
//
// For `kPurgeAndCreate` the caller removes the old object (shm_unlink, ...)
// first, ignoring ENOENT, and then creates exclusively.

#ifndef IPCBOX_CORE_OPEN_MODE_H_
#define IPCBOX_CORE_OPEN_MODE_H_

#include <fcntl.h>

#include "absl/strings/string_view.h"

namespace ipcbox {

enum class OpenMode {
  // Create a new object; fail with AlreadyExists if the name is taken. The
  // safe choice for the side that owns the object: nobody can have created it
  // first with other permissions or contents and be waiting for us to use it.
  kCreateExclusive,
  // Open the object if it exists, else create it. Whoever comes first
  // creates; neither side knows which one did, so neither can tell whether
  // the contents are fresh.
  kOpenOrCreate,
  // Open an object that must exist; fail with NotFound otherwise. The choice
  // for the side that uses an object someone else owns.
  kOpenExisting,
  // Remove whatever has the name (a stale object left by a crashed run),
  // then create exclusively. Only for a sole owner: a peer that still has the
  // old object open keeps using it, unaware of the new one.
  kPurgeAndCreate,
};

// The O_CREAT / O_EXCL bits to OR into open(), shm_open(), mq_open() or
// sem_open() flags. `kPurgeAndCreate` gives O_CREAT | O_EXCL: the removal is
// the caller's job, and O_EXCL catches a peer that recreated the name in
// between.
constexpr int OpenModeFlags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kCreateExclusive:
    case OpenMode::kPurgeAndCreate:
      return O_CREAT | O_EXCL;
    case OpenMode::kOpenOrCreate:
      return O_CREAT;
    case OpenMode::kOpenExisting:
      return 0;
  }
  return 0;
}

// Whether the call may create the object (and so needs a mode, and may need
// its permissions applied).
constexpr bool MayCreate(OpenMode mode) {
  return mode != OpenMode::kOpenExisting;
}

// Whether the caller must remove an existing object before opening.
constexpr bool RemovesExisting(OpenMode mode) {
  return mode == OpenMode::kPurgeAndCreate;
}

// A copy of `options` (any ipcbox options struct: each has an `open_mode`)
// with `open_mode` set to `mode`, for one-line calls:
//
//   Semaphore::Open(name, WithOpenMode(OpenMode::kOpenOrCreate, options));
template <typename Options>
Options WithOpenMode(OpenMode mode, Options options) {
  options.open_mode = mode;
  return options;
}

// A stable lower-case name for messages and logs, e.g. "create-exclusive".
constexpr absl::string_view OpenModeName(OpenMode mode) {
  switch (mode) {
    case OpenMode::kCreateExclusive:
      return "create-exclusive";
    case OpenMode::kOpenOrCreate:
      return "open-or-create";
    case OpenMode::kOpenExisting:
      return "open-existing";
    case OpenMode::kPurgeAndCreate:
      return "purge-and-create";
  }
  return "invalid-open-mode";
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_OPEN_MODE_H_
