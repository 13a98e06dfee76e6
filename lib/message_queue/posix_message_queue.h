// posix_message_queue.h
//
// `posix::MessageQueue` is a POSIX message queue (mq_open, mq_send,
// mq_receive): a named, kernel-held queue of messages with priorities,
// received highest priority first and in send order within a priority. The
// object owns the queue descriptor, which is pollable (POLLIN when a message
// is queued, POLLOUT when there is room); the queue lives until its name is
// unlinked and the last descriptor is closed.
//
// Example:
//
//   absl::StatusOr<PosixName> name = PosixName::Create("/sensor-events");
//   posix::QueueOptions options;
//   options.capacity = QueueCapacity{/*max_messages=*/8,
//                                    /*max_message_size=*/128};
//   absl::StatusOr<posix::MessageQueue> queue =
//       posix::MessageQueue::Open(*name, options);
//   if (!queue.ok()) return queue.status();
//   queue->Send("overheat", /*priority=*/9).IgnoreError();
//   char buf[128];  // at least max_message_size()
//   absl::StatusOr<ReceivedMessage> got =
//       queue->ReceiveFor(absl::MakeSpan(buf), absl::Seconds(1));
//
// Each call blocks, tries (`WouldBlockError()`) or waits until a deadline
// (`TimedOutError()`), without allocating; one object may be used by several
// threads at once. The kernel's timeouts are on the wall clock: a step of
// the clock backwards can make a timed call wait longer than asked. See
// lib/message_queue's README.md for that, the limits and the lifetime.

#ifndef IPCBOX_MESSAGE_QUEUE_POSIX_MESSAGE_QUEUE_H_
#define IPCBOX_MESSAGE_QUEUE_POSIX_MESSAGE_QUEUE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/message_queue/common.h"

namespace ipcbox::posix {

// Which calls the descriptor allows (O_RDONLY, O_WRONLY, O_RDWR).
enum class Access { kReceiveOnly, kSendOnly, kSendAndReceive };

struct QueueOptions {
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // The mode of a queue this call creates, applied with fchmod() so that the
  // umask (which mq_open() applies) cannot change it.
  Permissions permissions;
  Access access = Access::kSendAndReceive;
  // The capacity of a queue this call creates; unset means the kernel's
  // defaults (fs.mqueue.msg_default and msgsize_default). An existing queue
  // keeps the capacity it was created with: read it with `capacity()`.
  std::optional<QueueCapacity> capacity;
  // Unlink the name when this object is destroyed, if this object created
  // the queue.
  bool remove_when_destroyed = false;
};

// A snapshot from mq_getattr().
struct QueueStatus {
  size_t messages = 0;  // mq_curmsgs
  QueueCapacity capacity;
};

class MessageQueue {
 public:
  // What names a queue of this backend, and how it is opened (the generic
  // `MessageQueue` contract has one of each per backend).
  using Id = PosixName;
  using Options = QueueOptions;

  // Opens or creates the queue `name` as `options.open_mode` says:
  // AlreadyExists, NotFound, InvalidArgument for a capacity of 0 or over
  // the kernel's limits, ResourceExhausted when a limit on queues is reached
  // (fs.mqueue.queues_max, RLIMIT_MSGQUEUE, descriptors).
  static absl::StatusOr<MessageQueue> Open(const PosixName& name,
                                           const QueueOptions& options = {});

  // A new queue without a name (created under a unique name, which is
  // unlinked at once), shared with forked children through the descriptor.
  // It disappears when the last descriptor is closed. The generic
  // `MessageQueue` interface.
  static absl::StatusOr<MessageQueue> CreatePrivate(QueueCapacity capacity);

  // mq_unlink(): NotFound if there is no such queue.
  static absl::Status Unlink(const PosixName& name);

  // Not open: every call fails with FailedPrecondition.
  MessageQueue() = default;
  MessageQueue(MessageQueue&& other) noexcept;
  MessageQueue& operator=(MessageQueue&& other) noexcept;
  MessageQueue(const MessageQueue&) = delete;
  MessageQueue& operator=(const MessageQueue&) = delete;
  ~MessageQueue();

  bool valid() const { return fd_.valid(); }
  // The queue descriptor, still owned by this object, for poll()/epoll.
  // It is close-on-exec (the kernel always makes it so).
  int fd() const { return fd_.get(); }
  // The name; empty for a private queue.
  const std::optional<PosixName>& name() const { return name_; }
  bool created() const { return created_; }
  QueueCapacity capacity() const { return capacity_; }
  size_t max_message_size() const { return capacity_.max_message_size; }

  // Sends `bytes` (at most max_message_size()) with `priority`
  // (<= kMaxMessagePriority). Blocks while the queue is full.
  absl::Status Send(absl::string_view bytes, unsigned priority);
  absl::Status TrySend(absl::string_view bytes, unsigned priority);
  absl::Status SendFor(absl::string_view bytes, unsigned priority,
                       absl::Duration timeout);
  absl::Status SendUntil(absl::string_view bytes, unsigned priority,
                         Deadline deadline);

  // Receives the highest-priority message (the oldest among equals) into
  // `buffer`, which must hold at least max_message_size() bytes. Blocks while
  // the queue is empty.
  absl::StatusOr<ReceivedMessage> Receive(absl::Span<char> buffer);
  absl::StatusOr<ReceivedMessage> TryReceive(absl::Span<char> buffer);
  absl::StatusOr<ReceivedMessage> ReceiveFor(absl::Span<char> buffer,
                                             absl::Duration timeout);
  absl::StatusOr<ReceivedMessage> ReceiveUntil(absl::Span<char> buffer,
                                               Deadline deadline);

  // mq_getattr(): how many messages are queued.
  absl::StatusOr<QueueStatus> Stat() const;

  // Unlinks this queue's name (see Lifetime above). The descriptor stays
  // usable. OK and nothing to do for a private queue. Caveat: it removes
  // whatever queue has the name now, which is another queue if someone
  // removed this one and created a new one under the same name.
  absl::Status Remove();
  // Whether destroying this object removes the queue: it created the queue
  // with `remove_when_destroyed` set (or by `CreatePrivate()`).
  bool owner() const { return remove_when_destroyed_; }
  // Keeps the queue after this object is destroyed (a forked child's copy,
  // a queue handed on to a later run), as `Disown()` does for every ipcbox
  // object that removes what it created.
  void Disown() { remove_when_destroyed_ = false; }

  // Closes the descriptor and reports close()'s error.
  absl::Status Close() { return fd_.Close(); }

 private:
  enum class Wait { kBlock, kTry, kUntil };

  MessageQueue(Fd fd, std::optional<PosixName> name, bool created,
               bool remove_when_destroyed, Access access,
               QueueCapacity capacity)
      : fd_(std::move(fd)),
        name_(std::move(name)),
        created_(created),
        remove_when_destroyed_(remove_when_destroyed && created),
        access_(access),
        capacity_(capacity) {}

  absl::Status SendWith(absl::string_view bytes, unsigned priority, Wait wait,
                        Deadline deadline);
  absl::StatusOr<ReceivedMessage> ReceiveWith(absl::Span<char> buffer,
                                              Wait wait, Deadline deadline);
  absl::Status CheckSend(absl::string_view bytes, unsigned priority) const;
  absl::Status CheckReceive(absl::Span<char> buffer) const;
  void UnlinkIfOwned();
  // For messages: the quoted name, or "private queue (fd 5)". Allocates.
  std::string Describe() const;

  Fd fd_;
  std::optional<PosixName> name_;
  bool created_ = false;
  bool remove_when_destroyed_ = false;
  Access access_ = Access::kSendAndReceive;
  QueueCapacity capacity_;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_MESSAGE_QUEUE_POSIX_MESSAGE_QUEUE_H_
