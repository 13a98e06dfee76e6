// common.h
//
// The vocabulary that both message-queue backends share: priorities,
// capacities and what a receive returns. It is the common subset behind the
// generic `ipcbox::MessageQueue` (message_queue.h): send bytes with a
// priority, receive the next message, highest priority first and in send
// order within one priority.
//
// Example:
//
//   absl::StatusOr<MessageQueue> queue = MessageQueue::CreatePrivate(
//       QueueCapacity{/*max_messages=*/16, /*max_message_size=*/256});
//   if (!queue.ok()) return queue.status();
//   if (absl::Status s = queue->Send(bytes, /*priority=*/5); !s.ok()) ...
//   char buf[256];
//   absl::StatusOr<ReceivedMessage> got = queue->Receive(absl::MakeSpan(buf));
//   // got->size bytes in buf, sent with priority got->priority.

#ifndef IPCBOX_MESSAGE_QUEUE_COMMON_H_
#define IPCBOX_MESSAGE_QUEUE_COMMON_H_

#include <cstddef>

namespace ipcbox {

// Priorities run from 0 (lowest) to kMaxMessagePriority (highest): the range
// of POSIX message queues on Linux (MQ_PRIO_MAX - 1), so that a priority
// means the same on both backends. System V queues carry it as the message
// type (see README.md).
inline constexpr unsigned kMaxMessagePriority = 32767;

// The shape of a queue, fixed when it is created: how many messages of how
// many bytes it holds before a send would block. The defaults are the
// kernel's defaults for POSIX queues (fs.mqueue.msg_default and
// msgsize_default).
struct QueueCapacity {
  size_t max_messages = 10;
  size_t max_message_size = 8192;
};

// What a receive found: `size` bytes at the start of the caller's buffer,
// sent with `priority`.
struct ReceivedMessage {
  size_t size = 0;
  unsigned priority = 0;
};

}  // namespace ipcbox

#endif  // IPCBOX_MESSAGE_QUEUE_COMMON_H_
