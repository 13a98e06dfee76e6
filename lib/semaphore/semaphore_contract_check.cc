// Checks SemaphoreContract on both backends, whichever one this build
// selects, so that a backend that drifts fails //lib/semaphore.

#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_contract.h"
#include "ipcbox/semaphore/sysv_semaphore.h"

namespace ipcbox {

static_assert(SemaphoreContract<posix::NamedSemaphore>());
static_assert(SemaphoreContract<sysv::Semaphore>());

}  // namespace ipcbox
