// message_queue.h
//
// `ipcbox::MessageQueue` is the message queue of the IPC flavour this build
// selects (--//platforms:ipc_flavor): `posix::MessageQueue` where the kernel
// has POSIX queues, else `sysv::MessageQueue`. Code that keeps to the common
// subset compiles and behaves the same against either, and a binary links
// only the selected backend. The subset is message_queue_contract.h, checked
// on both when the library builds: `CreatePrivate()` (a queue without a
// name, shared with forked children); `Open(Id, Options)` with
// `options.open_mode` (`Id` and `Options` are each backend's own);
// `Send`/`TrySend`/`SendFor`/`SendUntil` with priorities
// 0..kMaxMessagePriority; the same four forms of `Receive` (highest priority
// first, oldest first within one, into a buffer of max_message_size()
// bytes); `max_message_size()`, `valid()`, `created()`, `owner()`,
// `Disown()`, `Remove()`. Everything else (typed messages, the POSIX
// descriptor) is backend-specific. See lib/message_queue's README.md for where
// they differ.
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
