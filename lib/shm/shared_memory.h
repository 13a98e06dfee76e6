// shared_memory.h
//
// `ipcbox::SharedMemory` is the shared memory of the IPC flavour this build
// uses (--//platforms:ipc_flavor, see platforms/BUILD.bazel): a POSIX object
// (`posix::SharedMemory`, shm_open + mmap) on POSIX boards, a System V
// segment (`sysv::SharedMemory`, shmget + shmat) on System V ones. Write
// code against this name and it builds for either, linking only the chosen
// backend.
//
// Example:
//
//   absl::StatusOr<PosixName> name = PosixName::Create("/sensor-frames");
//   absl::StatusOr<SharedMemory> frames = SharedMemory::Create(*name, 4096);
//   if (!frames.ok()) return frames.status();
//   absl::Span<char> bytes = frames->mutable_bytes();
//   ...                                  // a peer: SharedMemory::OpenExisting
//   return frames->Close();              // the creator removes it
//
// What both provide, with the same meaning and the same status codes:
//   - `Open(name, size, SharedMemoryOptions)`, `Create(name, size,
//     Permissions)`, `OpenExisting(name, size, MemoryAccess)`, and the static
//     `Remove(name)` for a stale object;
//   - `size()`, `bytes()`, `mutable_bytes()` (empty when read-only),
//     `writable()`, `owner()`, `Release()`, `Remove()`, `Close()`;
//   - creator-owns-and-removes, opener-never-removes; zeroed new memory;
//     refusal (OutOfRange, both sizes named) to map more than the object
//     holds; InvalidArgument for size 0; NotFound, AlreadyExists,
//     PermissionDenied, ResourceExhausted where the kernel says so.
//
// Where they differ, and portable code must not depend on either:
//   - `kOpenOrCreate` on an existing smaller object: POSIX grows it, System
//     V refuses (a segment's size is fixed);
//   - System V turns the name into a key by hashing it
//     (`sysv::IpcKey::FromName`); `ipcs -m` shows the key, not the name;
//   - POSIX reserves the memory at creation (a full /dev/shm is an error
//     then); System V allocates pages as they are first touched, within
//     SHMALL;
//   - backend-only extras: POSIX `name()`; System V keys from ftok or a
//     number, `CreatePrivate`, `Attach(id)`, `id()`, `Stat()`.

#ifndef IPCBOX_SHM_SHARED_MEMORY_H_
#define IPCBOX_SHM_SHARED_MEMORY_H_

#include "ipcbox/shm/shared_memory_options.h"
#include "platforms/selected_backends.h"

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
#include "ipcbox/shm/posix_shared_memory.h"
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
#include "ipcbox/shm/sysv_shared_memory.h"
#endif

namespace ipcbox {

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
using SharedMemory = posix::SharedMemory;
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
using SharedMemory = sysv::SharedMemory;
#endif

}  // namespace ipcbox

#endif  // IPCBOX_SHM_SHARED_MEMORY_H_
