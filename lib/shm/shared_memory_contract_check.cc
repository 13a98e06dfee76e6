// Checks SharedMemoryContract on both backends, whichever one this build
// selects, so that a backend that drifts fails //lib/shm.

#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_contract.h"
#include "ipcbox/shm/sysv_shared_memory.h"

namespace ipcbox {

static_assert(SharedMemoryContract<posix::SharedMemory>());
static_assert(SharedMemoryContract<sysv::SharedMemory>());

}  // namespace ipcbox
