#include "ipcbox/message_queue/posix_limits.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/message_queue/internal/proc_number.h"

namespace ipcbox::posix {
namespace {

using message_queue_internal::ReadProcNumber;

// The default tunables appeared in Linux 3.5; before that the default was
// the maximum.
absl::StatusOr<uint64_t> ReadDefault(const char* path, uint64_t fallback) {
  absl::StatusOr<uint64_t> value = ReadProcNumber(path);
  if (absl::IsNotFound(value.status())) return fallback;
  return value;
}

}  // namespace

absl::StatusOr<QueueLimits> ReadQueueLimits() {
  absl::StatusOr<uint64_t> msg_max = ReadProcNumber(kMsgMaxPath);
  if (!msg_max.ok()) return msg_max.status();
  absl::StatusOr<uint64_t> msgsize_max = ReadProcNumber(kMsgsizeMaxPath);
  if (!msgsize_max.ok()) return msgsize_max.status();
  absl::StatusOr<uint64_t> msg_default = ReadDefault(kMsgDefaultPath, *msg_max);
  if (!msg_default.ok()) return msg_default.status();
  absl::StatusOr<uint64_t> msgsize_default =
      ReadDefault(kMsgsizeDefaultPath, *msgsize_max);
  if (!msgsize_default.ok()) return msgsize_default.status();
  // The kernel keeps these as ints, so they fit a 32-bit size_t.
  QueueLimits limits;
  limits.max_messages = static_cast<size_t>(*msg_max);
  limits.max_message_size = static_cast<size_t>(*msgsize_max);
  limits.default_max_messages = static_cast<size_t>(*msg_default);
  limits.default_max_message_size = static_cast<size_t>(*msgsize_default);
  return limits;
}

}  // namespace ipcbox::posix
