// Checks FileLockContract on every backend, whichever one this build
// selects, so that a backend that drifts fails //lib/file_lock.

#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/file_lock_contract.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/ofd_lock.h"

namespace ipcbox {

static_assert(FileLockContract<FcntlLock>());
static_assert(FileLockContract<OfdLock>());
static_assert(FileLockContract<FlockLock>());

}  // namespace ipcbox
