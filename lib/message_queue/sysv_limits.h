// sysv_limits.h
//
// The kernel's limits on System V message queues, read from /proc/sys/kernel
// when a queue is set up so that an oversized message or queue is refused
// with a status that names the limit, instead of msgsnd()'s bare EINVAL.
//
// Example:
//
//   absl::StatusOr<sysv::QueueLimits> limits = sysv::ReadQueueLimits();
//   if (limits.ok() && payload.size() > limits->max_message_size) ...

#ifndef IPCBOX_MESSAGE_QUEUE_SYSV_LIMITS_H_
#define IPCBOX_MESSAGE_QUEUE_SYSV_LIMITS_H_

#include <cstddef>

#include "absl/status/statusor.h"

namespace ipcbox::sysv {

inline constexpr char kMsgmaxPath[] = "/proc/sys/kernel/msgmax";
inline constexpr char kMsgmnbPath[] = "/proc/sys/kernel/msgmnb";

struct QueueLimits {
  // kernel.msgmax: the largest payload msgsnd() takes (default 8192).
  size_t max_message_size = 0;
  // kernel.msgmnb: a new queue's byte limit (msg_qbytes), and the highest
  // limit an unprivileged owner may set with IPC_SET (default 16384).
  size_t max_queue_bytes = 0;
};

// Reads both files. Their error statuses name the file.
absl::StatusOr<QueueLimits> ReadQueueLimits();

}  // namespace ipcbox::sysv

#endif  // IPCBOX_MESSAGE_QUEUE_SYSV_LIMITS_H_
