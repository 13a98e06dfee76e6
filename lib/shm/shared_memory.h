// shared_memory.h
//
// `ipcbox::SharedMemory` is the shared memory of the IPC flavour this build
// uses (--//platforms:ipc_flavor): `posix::SharedMemory` (shm_open + mmap)
// on POSIX boards, `sysv::SharedMemory` (shmget + shmat) on System V ones.
// Code written against it builds for either, linking only the chosen backend.
// What both provide is shared_memory_contract.h, checked on both when the
// library builds: `Open()`, `Create()`, `OpenExisting()`, the static
// `Remove()`, `size()`, `bytes()`, `mutable_bytes()`, `writable()`,
// `owner()`, `Disown()`, `Remove()`, `Close()`, with the same meaning and
// status codes.
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
// Portable code must not depend on where they differ (growing an existing
// object, names versus keys, when memory is reserved): see lib/shm's
// README.md.

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
