// posix_limits.h
//
// The kernel's limits on POSIX message queues, from /proc/sys/fs/mqueue, read
// when a queue is set up so that attributes over them are refused with a
// status that names the limit, instead of mq_open()'s bare EINVAL.
//
// Example:
//
//   absl::StatusOr<posix::QueueLimits> limits = posix::ReadQueueLimits();
//   if (limits.ok() && wanted.max_messages > limits->max_messages) ...
//
// Processes with CAP_SYS_RESOURCE may exceed msg_max and msgsize_max (up to
// the kernel's hard limits); ipcbox applies the unprivileged limits to
// everyone, so that a program tested as root does not fail when it ships as
// an unprivileged daemon.

#ifndef IPCBOX_MESSAGE_QUEUE_POSIX_LIMITS_H_
#define IPCBOX_MESSAGE_QUEUE_POSIX_LIMITS_H_

#include <cstddef>

#include "absl/status/statusor.h"

namespace ipcbox::posix {

inline constexpr char kMsgMaxPath[] = "/proc/sys/fs/mqueue/msg_max";
inline constexpr char kMsgsizeMaxPath[] = "/proc/sys/fs/mqueue/msgsize_max";
inline constexpr char kMsgDefaultPath[] = "/proc/sys/fs/mqueue/msg_default";
inline constexpr char kMsgsizeDefaultPath[] =
    "/proc/sys/fs/mqueue/msgsize_default";

struct QueueLimits {
  size_t max_messages = 0;              // fs.mqueue.msg_max (default 10)
  size_t max_message_size = 0;          // fs.mqueue.msgsize_max (default 8192)
  size_t default_max_messages = 0;      // fs.mqueue.msg_default
  size_t default_max_message_size = 0;  // fs.mqueue.msgsize_default
};

// Reads the four files. Their error statuses name the file. Kernels before
// 3.5 have no msg_default/msgsize_default; then the defaults are taken to be
// the maxima, which is what those kernels used.
absl::StatusOr<QueueLimits> ReadQueueLimits();

}  // namespace ipcbox::posix

#endif  // IPCBOX_MESSAGE_QUEUE_POSIX_LIMITS_H_
