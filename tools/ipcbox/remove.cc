#include "tools/ipcbox/remove.h"

#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/shm/posix_shared_memory.h"

namespace ipcbox::tool {

absl::Status CheckRemovable(const IpcObject& o, uid_t euid, bool any_owner) {
  const std::string what = absl::StrCat(KindName(o.kind), " ", o.name);
  if (o.kind == Kind::kLock) {
    return absl::FailedPreconditionError(absl::StrCat(
        what,
        ": a lock cannot be removed; it goes when its holder closes the file"));
  }
  if (o.verdict == Verdict::kInUse) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": in use (", o.reason, ")"));
  }
  if (o.kind == Kind::kSocket && !o.orphaned) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": a socket is still bound to it"));
  }
  if (o.uid_known && o.uid != euid) {
    if (euid != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat(what, ": owned by uid ", o.uid, ", not by you"));
    }
    if (!any_owner) {
      return absl::PermissionDeniedError(
          absl::StrCat(what, ": owned by uid ", o.uid,
                       "; as root, add --any-owner to remove it"));
    }
  }
  return absl::OkStatus();
}

absl::Status RemoveObject(const IpcObject& o) {
  int id = -1;
  switch (o.kind) {
    case Kind::kShm:
    case Kind::kChannel: {
      absl::StatusOr<PosixName> name = PosixName::Create(o.name);
      if (!name.ok()) return name.status();
      return posix::SharedMemory::Remove(*name);
    }
    case Kind::kMq: {
      absl::StatusOr<PosixName> name = PosixName::Create(o.name);
      if (!name.ok()) return name.status();
      return posix::MessageQueue::Unlink(*name);
    }
    case Kind::kSem:
      if (sem_unlink(o.name.c_str()) != 0) {
        return ErrnoError(errno, "sem_unlink", o.name);
      }
      return absl::OkStatus();
    case Kind::kSysvShm:
    case Kind::kSysvSem:
    case Kind::kSysvMsg: {
      if (!absl::SimpleAtoi(o.name, &id)) {
        return absl::InvalidArgumentError(absl::StrCat("bad id ", o.name));
      }
      int rc = o.kind == Kind::kSysvShm   ? shmctl(id, IPC_RMID, nullptr)
               : o.kind == Kind::kSysvSem ? semctl(id, 0, IPC_RMID)
                                          : msgctl(id, IPC_RMID, nullptr);
      if (rc != 0) return ErrnoError(errno, "IPC_RMID", o.name);
      return absl::OkStatus();
    }
    case Kind::kFifo:
    case Kind::kSocket:
      if (unlink(o.name.c_str()) != 0)
        return ErrnoError(errno, "unlink", o.name);
      return absl::OkStatus();
    case Kind::kLock:
      break;
  }
  return absl::FailedPreconditionError("cannot remove a lock");
}

}  // namespace ipcbox::tool
