// message_queue.h
//
// `ipcbox::MessageQueue` is the message queue of the IPC flavour this build
// selects (--//platforms:ipc_flavor; see platforms/BUILD.bazel): a POSIX
// queue (`posix::MessageQueue`) where the kernel has them, else a System V
// queue (`sysv::MessageQueue`). Code that keeps to the common subset below
// compiles and behaves the same against either, and a binary links only the
// selected backend.
//
// The common subset:
//   - `CreatePrivate(QueueCapacity)`: a new queue without a name, shared with
//     forked children;
//   - `Send(bytes, priority)`, `TrySend`, `SendFor`, `SendUntil`: priorities
//     0..kMaxMessagePriority (common.h);
//   - `Receive(buffer)`, `TryReceive`, `ReceiveFor`, `ReceiveUntil`: the
//     highest-priority message, the oldest among equal priorities, with its
//     size and priority; the buffer must hold max_message_size() bytes;
//   - `max_message_size()`, `valid()`, `Remove()`;
//   - statuses: `IsWouldBlock()` for a full or empty queue in the Try forms,
//     `IsTimedOut()` for a deadline, InvalidArgument for a payload over
//     max_message_size() or a priority over kMaxMessagePriority.
// Everything else (names and keys, typed System V messages, the POSIX
// descriptor, Stat) is backend-specific: reach it through the backend types.
//
// The two differ where the kernels do, and the subset is chosen so that this
// does not show: a System V queue holds max_messages * max_message_size
// bytes (more messages if they are small), and its timed calls poll (see
// sysv_message_queue.h); a POSIX queue holds exactly max_messages messages
// and waits in the kernel.
//
// Example:
//
//   absl::StatusOr<MessageQueue> queue = MessageQueue::CreatePrivate(
//       QueueCapacity{/*max_messages=*/8, /*max_message_size=*/64});
//   if (!queue.ok()) return queue.status();
//   // fork(): the child sends, the parent receives.
//   queue->Send("reading 17", /*priority=*/1).IgnoreError();
//   char buf[64];
//   absl::StatusOr<ReceivedMessage> got =
//       queue->ReceiveFor(absl::MakeSpan(buf), absl::Seconds(1));

#ifndef IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_H_
#define IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_H_

#include "ipcbox/message_queue/common.h"
#include "platforms/selected_backends.h"

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
#include "ipcbox/message_queue/posix_message_queue.h"
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
#include "ipcbox/message_queue/sysv_message_queue.h"
#endif

namespace ipcbox {

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
using MessageQueue = posix::MessageQueue;
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
using MessageQueue = sysv::MessageQueue;
#endif

}  // namespace ipcbox

#endif  // IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_H_
