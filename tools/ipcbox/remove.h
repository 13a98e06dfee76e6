// Removing objects, and the rules that say when not to:
//
// - never an object that is in use (a live process has it open, mapped,
//   attached or locked, or System V counts an attachment);
// - never one owned by another user, unless running as root and asked to
//   (`--any-owner`);
// - never a lock (it goes with its holder's descriptor) or a bound socket
//   (removing the file would only hide it from new clients).
//
//   absl::Status allowed = CheckRemovable(object, geteuid(), any_owner);
//   if (allowed.ok()) status = RemoveObject(object);
//
// The check and the removal are two steps: a process that opens the object
// in between keeps using it (every removal here is an unlink, which never
// disturbs a process that already has the object).
#ifndef IPCBOX_TOOLS_IPCBOX_REMOVE_H_
#define IPCBOX_TOOLS_IPCBOX_REMOVE_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

// OK, or FailedPrecondition / PermissionDenied saying why not.
absl::Status CheckRemovable(const IpcObject& object, uid_t euid,
                            bool any_owner);

// shm_unlink (shm, channel), sem_unlink, mq_unlink, IPC_RMID, or unlink for
// FIFOs and socket files. Does not check (call CheckRemovable first).
absl::Status RemoveObject(const IpcObject& object);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_REMOVE_H_
