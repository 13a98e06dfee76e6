// lock_file_options.h
//
// How the lock types' `Open()` opens (or creates) the file they lock:
//
//   LockFileOptions options;
//   options.open_mode = OpenMode::kOpenExisting;  // someone else creates it
//   options.access = LockFileAccess::kReadOnly;   // shared locks only
//   absl::StatusOr<FcntlLock> lock = FcntlLock::Open("/run/app.lock", options);
//
// Whatever the options, the file is opened with O_NOFOLLOW (a symbolic link
// planted at the path is refused, not followed) and O_CLOEXEC (a program the
// process execs does not inherit the descriptor, and with it an OFD or flock
// lock), and must be a regular file. A file the call creates gets exactly
// `permissions` (0600 by default) whatever the umask; an existing file keeps
// its mode.

#ifndef IPCBOX_FILE_LOCK_LOCK_FILE_OPTIONS_H_
#define IPCBOX_FILE_LOCK_LOCK_FILE_OPTIONS_H_

#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

// The access the descriptor is opened with. It matters to fcntl and OFD
// record locks: a shared lock needs the file open for reading, an exclusive
// one needs it open for writing (otherwise the lock call fails with
// kFailedPrecondition). flock does not care.
enum class LockFileAccess { kReadOnly, kWriteOnly, kReadWrite };

struct LockFileOptions {
  OpenMode open_mode = OpenMode::kOpenOrCreate;
  LockFileAccess access = LockFileAccess::kReadWrite;
  // Applied to a file this call creates.
  Permissions permissions = Permissions::OwnerOnly();
};

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_LOCK_FILE_OPTIONS_H_
