#include "ipcbox/message_queue/sysv_limits.h"

#include <cstdint>

#include "absl/status/statusor.h"
#include "ipcbox/message_queue/internal/proc_number.h"

namespace ipcbox::sysv {

absl::StatusOr<QueueLimits> ReadQueueLimits() {
  using message_queue_internal::ReadProcNumber;
  absl::StatusOr<uint64_t> msgmax = ReadProcNumber(kMsgmaxPath);
  if (!msgmax.ok()) return msgmax.status();
  absl::StatusOr<uint64_t> msgmnb = ReadProcNumber(kMsgmnbPath);
  if (!msgmnb.ok()) return msgmnb.status();
  QueueLimits limits;
  // Both are ints in the kernel, so they fit a 32-bit size_t.
  limits.max_message_size = static_cast<size_t>(*msgmax);
  limits.max_queue_bytes = static_cast<size_t>(*msgmnb);
  return limits;
}

}  // namespace ipcbox::sysv
