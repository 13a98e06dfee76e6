// sysv_message_queue.h
//
// `sysv::MessageQueue` is a System V message queue (msgget, msgsnd, msgrcv,
// msgctl): a kernel-persistent list of typed messages that any process
// knowing the key (or the id) and allowed by the queue's mode can use, until
// someone removes it.
//
// Example (the seed's sender and receiver):
//
//   absl::StatusOr<sysv::IpcKey> key = sysv::IpcKey::FromPath("queue.h", 123);
//   sysv::QueueOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   options.permissions = *Permissions::FromMode(0666);
//   absl::StatusOr<sysv::MessageQueue> queue =
//       sysv::MessageQueue::Open(*key, options);
//   sysv::Message<16> message;
//   message.set_type(3);
//   message.SetPayload("msg5").IgnoreError();
//   absl::Status sent = queue->TrySendMessage(message);  // IPC_NOWAIT
//   absl::Status got = queue->ReceiveMessage(message,
//                                            sysv::TypeSelector::Exactly(3));
//   queue->Remove().IgnoreError();
//
// Typed calls (`sysv::Message<N>`) copy nothing and are thread-safe; the
// by-priority calls shared with POSIX queues copy through one send and one
// receive buffer, so one thread may send while another receives. Each call
// blocks, tries (`WouldBlockError()`) or waits until a deadline
// (`TimedOutError()`), retrying with lib/core's back-off (its README.md,
// "Waiting with a deadline"). lib/message_queue's README.md has the
// priority mapping, the limits and the queue's lifetime.

#ifndef IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_QUEUE_H_
#define IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_QUEUE_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/sysv_message.h"

namespace ipcbox::sysv {

struct QueueOptions {
  OpenMode open_mode = OpenMode::kCreateExclusive;
  // The mode of a queue this call creates. msgget() applies it exactly: the
  // umask does not touch System V objects.
  Permissions permissions;
  // The largest payload the priority calls (`Send()`, `Receive()`) carry;
  // it sizes their two buffers. 0 means kernel.msgmax. Typed messages are
  // limited by msgmax only.
  size_t max_message_size = 0;
  // The queue's byte limit (msg_qbytes), set with IPC_SET if this call
  // creates the queue; 0 keeps the kernel's default (kernel.msgmnb). At most
  // kernel.msgmnb. The kernel also limits the count of queued messages to
  // this number.
  size_t queue_bytes = 0;
  // Remove the queue when this object is destroyed, if this object created
  // it. Off by default: System V queues are meant to outlive their creator.
  bool remove_when_destroyed = false;
  // The longest pause between the attempts of a timed call: the cap of its
  // back-off (lib/core's README.md, "Waiting with a deadline").
  absl::Duration max_poll_interval = absl::Milliseconds(5);
  // An existing queue this call opens (rather than creates) must be owned
  // by this user (or `ownership.allowed_owner`) and, with a mode that may
  // create, be no wider than `permissions`; else PermissionDenied naming
  // its owner and mode.
  OwnershipPolicy ownership;
};

// A snapshot from IPC_STAT.
struct QueueStatus {
  size_t messages = 0;    // msg_qnum
  size_t bytes = 0;       // payload bytes queued (msg_cbytes)
  size_t byte_limit = 0;  // msg_qbytes
  pid_t last_sender = 0;
  pid_t last_receiver = 0;
  uid_t owner_uid = 0;
  uid_t creator_uid = 0;
  mode_t mode = 0;  // the 0777 bits
};

class MessageQueue {
 public:
  // What names a queue of this backend, and how it is opened (the generic
  // `MessageQueue` contract has one of each per backend).
  using Id = IpcKey;
  using Options = QueueOptions;

  // The type that carries priority `priority` in the priority calls, and
  // back. Types outside 1..kMaxMessagePriority+1 have no priority.
  static constexpr long TypeForPriority(unsigned priority) {
    return static_cast<long>(kMaxMessagePriority) + 1 -
           static_cast<long>(priority);
  }
  static constexpr unsigned PriorityForType(long type) {
    return static_cast<unsigned>(static_cast<long>(kMaxMessagePriority) + 1 -
                                 type);
  }

  // Gets the queue `key` names as `options.open_mode` says: AlreadyExists
  // (create-exclusive on a taken key), NotFound (open-existing on a free
  // key), InvalidArgument for options over the kernel's limits or for
  // open-existing with IpcKey::Private(). A private key always creates; the
  // queue stays after the object unless remove_when_destroyed is set, as for
  // any other key (`CreatePrivate()` sets it).
  static absl::StatusOr<MessageQueue> Open(IpcKey key,
                                           const QueueOptions& options = {});

  // A new IPC_PRIVATE queue holding `capacity.max_messages` messages of
  // `capacity.max_message_size` bytes (msg_qbytes is their product, so more
  // smaller messages fit), reachable by this object and its copies in
  // forked children. It is removed when this object is destroyed. The
  // generic `MessageQueue` interface.
  static absl::StatusOr<MessageQueue> CreatePrivate(QueueCapacity capacity);

  // Not open: every call fails with FailedPrecondition.
  MessageQueue() = default;
  MessageQueue(MessageQueue&& other) noexcept;
  MessageQueue& operator=(MessageQueue&& other) noexcept;
  MessageQueue(const MessageQueue&) = delete;
  MessageQueue& operator=(const MessageQueue&) = delete;
  ~MessageQueue();

  bool valid() const { return id_ >= 0; }
  // The queue's id (msqid), as `ipcs -q` shows it; -1 when not open.
  int id() const { return id_; }
  IpcKey key() const { return key_; }
  // Whether this object created the queue (rather than opening it).
  bool created() const { return created_; }
  // The priority calls' payload limit, and kernel.msgmax when opened.
  size_t max_message_size() const { return max_message_size_; }
  size_t kernel_max_message_size() const { return msgmax_; }

  // --- Typed messages ------------------------------------------------------

  // Sends `message` (type > 0, payload <= msgmax bytes). Blocks while the
  // queue is full.
  template <size_t N>
  absl::Status SendMessage(const Message<N>& message) {
    return SendRaw(message.raw(), message.payload_size(), Wait::Block());
  }
  template <size_t N>
  absl::Status TrySendMessage(const Message<N>& message) {
    return SendRaw(message.raw(), message.payload_size(), Wait::Try());
  }
  template <size_t N>
  absl::Status SendMessageFor(const Message<N>& message,
                              absl::Duration timeout) {
    return SendMessageUntil(message, Deadline::After(timeout));
  }
  template <size_t N>
  absl::Status SendMessageUntil(const Message<N>& message, Deadline deadline) {
    return SendRaw(message.raw(), message.payload_size(),
                   Wait::Until(deadline));
  }

  // Receives the message `selector` picks into `message` (type and
  // payload). Blocks while there is none.
  template <size_t N>
  absl::Status ReceiveMessage(Message<N>& message,
                              TypeSelector selector = TypeSelector::Any(),
                              Truncation truncation = Truncation::kReject) {
    return ReceiveInto(message, selector, truncation, Wait::Block());
  }
  template <size_t N>
  absl::Status TryReceiveMessage(Message<N>& message,
                                 TypeSelector selector = TypeSelector::Any(),
                                 Truncation truncation = Truncation::kReject) {
    return ReceiveInto(message, selector, truncation, Wait::Try());
  }
  template <size_t N>
  absl::Status ReceiveMessageFor(Message<N>& message, absl::Duration timeout,
                                 TypeSelector selector = TypeSelector::Any(),
                                 Truncation truncation = Truncation::kReject) {
    return ReceiveMessageUntil(message, Deadline::After(timeout), selector,
                               truncation);
  }
  template <size_t N>
  absl::Status ReceiveMessageUntil(
      Message<N>& message, Deadline deadline,
      TypeSelector selector = TypeSelector::Any(),
      Truncation truncation = Truncation::kReject) {
    return ReceiveInto(message, selector, truncation, Wait::Until(deadline));
  }

  // --- By priority (the generic subset) ------------------------------------

  // Sends `bytes` (at most max_message_size()) with `priority`
  // (<= kMaxMessagePriority).
  absl::Status Send(absl::string_view bytes, unsigned priority);
  absl::Status TrySend(absl::string_view bytes, unsigned priority);
  absl::Status SendFor(absl::string_view bytes, unsigned priority,
                       absl::Duration timeout);
  absl::Status SendUntil(absl::string_view bytes, unsigned priority,
                         Deadline deadline);

  // Receives the highest-priority message (the oldest among equals) into
  // `buffer`. A message longer than the buffer fails with InvalidArgument
  // and stays queued.
  absl::StatusOr<ReceivedMessage> Receive(absl::Span<char> buffer);
  absl::StatusOr<ReceivedMessage> TryReceive(absl::Span<char> buffer);
  absl::StatusOr<ReceivedMessage> ReceiveFor(absl::Span<char> buffer,
                                             absl::Duration timeout);
  absl::StatusOr<ReceivedMessage> ReceiveUntil(absl::Span<char> buffer,
                                               Deadline deadline);

  // --- Control ---------------------------------------------------------------

  // IPC_STAT: what is queued and the byte limit.
  absl::StatusOr<QueueStatus> Stat() const;

  // IPC_RMID: removes the queue for everyone; queued messages are lost and
  // blocked callers fail with NotFound. PermissionDenied unless this process
  // is the queue's owner or creator (or privileged). The object is not open
  // afterwards.
  absl::Status Remove();
  // Whether destroying this object removes the queue: it created the queue
  // with `remove_when_destroyed` set (or by `CreatePrivate()`).
  bool owner() const { return remove_when_destroyed_; }
  // Keeps the queue after this object is destroyed (a forked child's copy,
  // a queue handed on to a later run), as `Disown()` does for every ipcbox
  // object that removes what it created.
  void Disown() { remove_when_destroyed_ = false; }

 private:
  // How long a call may wait: block in the kernel, try once, or poll until
  // a deadline.
  struct Wait {
    enum class Mode { kBlock, kTry, kUntil };
    static Wait Block() { return Wait{Mode::kBlock, Deadline::Infinite()}; }
    static Wait Try() { return Wait{Mode::kTry, Deadline::Expired()}; }
    static Wait Until(Deadline deadline) {
      return deadline.is_infinite() ? Block() : Wait{Mode::kUntil, deadline};
    }
    Mode mode;
    Deadline deadline;
  };

  MessageQueue(int id, IpcKey key, bool created, bool remove_when_destroyed,
               size_t msgmax, size_t max_message_size,
               absl::Duration max_poll_interval);

  // `msgbuf` is a long type followed by `size` payload bytes.
  absl::Status SendRaw(const void* msgbuf, size_t size, Wait wait);
  // Receives into `msgbuf` (a long, then room for `capacity` bytes); returns
  // the payload size.
  absl::StatusOr<size_t> ReceiveRaw(void* msgbuf, size_t capacity,
                                    TypeSelector selector,
                                    Truncation truncation, Wait wait);
  template <size_t N>
  absl::Status ReceiveInto(Message<N>& message, TypeSelector selector,
                           Truncation truncation, Wait wait) {
    absl::StatusOr<size_t> size =
        ReceiveRaw(message.raw(), N, selector, truncation, wait);
    if (!size.ok()) return size.status();
    return message.SetPayloadSize(*size);
  }

  absl::Status SendPriority(absl::string_view bytes, unsigned priority,
                            Wait wait);
  absl::StatusOr<ReceivedMessage> ReceivePriority(absl::Span<char> buffer,
                                                  Wait wait);

  // For messages: "queue id 5 (key 0x0000002a)". Allocates.
  std::string Describe() const;
  absl::Status NotOpenError(const char* call) const;
  void Reset();
  void RemoveIfOwned();

  int id_ = -1;
  IpcKey key_ = IpcKey::Private();
  bool created_ = false;
  bool remove_when_destroyed_ = false;
  size_t msgmax_ = 0;
  size_t max_message_size_ = 0;
  absl::Duration max_poll_interval_ = absl::Milliseconds(5);
  // Type + max_message_size_ bytes each, for the priority calls.
  std::unique_ptr<long[]> send_buffer_;
  std::unique_ptr<long[]> receive_buffer_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_MESSAGE_QUEUE_SYSV_MESSAGE_QUEUE_H_
