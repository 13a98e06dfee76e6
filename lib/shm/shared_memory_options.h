// shared_memory_options.h
//
// `SharedMemoryOptions` are what both shared memory backends
// (`posix::SharedMemory`, `sysv::SharedMemory`) take when they open or
// create an object: whether to create it (`OpenMode`), who may use a newly
// created one (`Permissions`) and whether this process maps it read-only or
// read-write (`MemoryAccess`).
//
// Example:
//
//   SharedMemoryOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   options.permissions = *Permissions::FromMode(0644);  // the seed's mode
//   absl::StatusOr<posix::SharedMemory> shm =
//       posix::SharedMemory::Open(*name, 512, options);
//
// The defaults are the safe ones: create exclusively (nobody can have made
// the object first and be waiting for us to trust it), owner-only access,
// read-write.

#ifndef IPCBOX_SHM_SHARED_MEMORY_OPTIONS_H_
#define IPCBOX_SHM_SHARED_MEMORY_OPTIONS_H_

#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox {

struct SharedMemoryOptions {
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // Applied exactly (the umask does not narrow them) to an object this call
  // creates; ignored when an existing object is opened.
  Permissions permissions = Permissions::OwnerOnly();
  // Read-only is for openers: a mode that may create needs kReadWrite,
  // because the creator sizes (POSIX) or initialises the object.
  MemoryAccess access = MemoryAccess::kReadWrite;
  // An existing object this call opens (rather than creates) must be owned
  // by this user (or `ownership.allowed_owner`) and, with a mode that may
  // create, be no wider than `permissions`; else PermissionDenied.
  OwnershipPolicy ownership;
};

}  // namespace ipcbox

#endif  // IPCBOX_SHM_SHARED_MEMORY_OPTIONS_H_
