// Checks MessageQueueContract on both backends, whichever one this build
// selects, so that a backend that drifts fails //lib/message_queue.

#include "ipcbox/message_queue/message_queue_contract.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message_queue.h"

namespace ipcbox {

static_assert(MessageQueueContract<posix::MessageQueue>());
static_assert(MessageQueueContract<sysv::MessageQueue>());

}  // namespace ipcbox
