#include "ipcbox/message_queue/sysv_message_queue.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/sysv_limits.h"
#include "ipcbox/message_queue/sysv_message.h"

namespace ipcbox::sysv {
namespace {

// The receive that the priority calls make: the lowest type that carries a
// priority, i.e. the highest priority.
constexpr TypeSelector kHighestPriority =
    TypeSelector::LowestUpTo(MessageQueue::TypeForPriority(0));

std::string DescribeKey(IpcKey key) {
  return absl::StrCat("System V message queue (", key.ToString(), ")");
}

absl::Status MsggetError(int err, IpcKey key, int msgflg) {
  const std::string what = DescribeKey(key);
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(absl::StrCat("msgget: no ", what, " exists"));
    case EEXIST:
      return absl::AlreadyExistsError(
          absl::StrCat("msgget: a ", what, " already exists"));
    case ENOSPC:
      return absl::ResourceExhaustedError(absl::StrCat(
          "msgget: cannot create a ", what,
          ": the system-wide number of queues (/proc/sys/kernel/msgmni) is "
          "reached"));
    default:
      return ErrnoError(
          err, msgflg & IPC_CREAT ? "msgget(IPC_CREAT)" : "msgget", what);
  }
}

// msgget() that tells whether it created the queue. Open-or-create tries an
// exclusive create first so that `created` is the truth rather than a guess;
// a queue removed between the two calls sends it round again.
absl::StatusOr<int> GetQueue(IpcKey key, OpenMode mode, Permissions perms,
                             bool& created) {
  const int create_flags =
      IPC_CREAT | IPC_EXCL | static_cast<int>(perms.mode());
  if (key.is_private()) {
    const int id = ::msgget(IPC_PRIVATE, create_flags);
    if (id < 0) return MsggetError(errno, key, create_flags);
    created = true;
    return id;
  }
  if (RemovesExisting(mode)) {
    const int stale = ::msgget(key.value(), 0);
    if (stale >= 0 && ::msgctl(stale, IPC_RMID, nullptr) != 0 &&
        errno != EINVAL && errno != EIDRM) {
      const int err = errno;
      return ErrnoError(err, "msgctl(IPC_RMID) of the stale queue",
                        DescribeKey(key));
    }
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (MayCreate(mode)) {
      const int id = ::msgget(key.value(), create_flags);
      if (id >= 0) {
        created = true;
        return id;
      }
      if (errno != EEXIST || mode != OpenMode::kOpenOrCreate) {
        return MsggetError(errno, key, create_flags);
      }
    }
    const int id = ::msgget(key.value(), 0);
    if (id >= 0) {
      created = false;
      return id;
    }
    if (errno != ENOENT || mode != OpenMode::kOpenOrCreate) {
      return MsggetError(errno, key, 0);
    }
  }
  return absl::AbortedError(absl::StrCat(
      "msgget: a ", DescribeKey(key),
      " kept being created and removed by others while opening it"));
}

absl::Status SetQueueBytes(int id, size_t bytes, IpcKey key) {
  struct msqid_ds ds;
  if (::msgctl(id, IPC_STAT, &ds) != 0) {
    const int err = errno;
    return ErrnoError(err, "msgctl(IPC_STAT)", DescribeKey(key));
  }
  ds.msg_qbytes = bytes;
  if (::msgctl(id, IPC_SET, &ds) != 0) {
    const int err = errno;
    return ErrnoError(err,
                      absl::StrCat("msgctl(IPC_SET msg_qbytes=", bytes, ")"),
                      DescribeKey(key));
  }
  return absl::OkStatus();
}

absl::Status CheckOptions(const QueueOptions& options,
                          const QueueLimits& limits, IpcKey key) {
  if (key.is_private() && options.open_mode == OpenMode::kOpenExisting) {
    return absl::InvalidArgumentError(
        "an IPC_PRIVATE System V queue can only be created, not opened; "
        "pass its id to the processes that use it");
  }
  if (options.max_message_size > limits.max_message_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_size ", options.max_message_size,
        " is over the kernel's limit msgmax = ", limits.max_message_size, " (",
        kMsgmaxPath, ")"));
  }
  if (options.queue_bytes > limits.max_queue_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue_bytes ", options.queue_bytes,
        " is over the kernel's limit msgmnb = ", limits.max_queue_bytes, " (",
        kMsgmnbPath, ")"));
  }
  if (options.max_poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("max_poll_interval must be positive");
  }
  return absl::OkStatus();
}

std::unique_ptr<long[]> MessageBuffer(size_t payload_capacity) {
  const size_t words = 1 + (payload_capacity + sizeof(long) - 1) / sizeof(long);
  return std::make_unique<long[]>(words);
}

}  // namespace

absl::StatusOr<MessageQueue> MessageQueue::Open(IpcKey key,
                                                const QueueOptions& options) {
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  if (!limits.ok()) return limits.status();
  if (absl::Status s = CheckOptions(options, *limits, key); !s.ok()) return s;

  bool created = false;
  absl::StatusOr<int> id =
      GetQueue(key, options.open_mode, options.permissions, created);
  if (!id.ok()) return id.status();
  if (!created && options.ownership.check) {
    struct msqid_ds ds;
    if (::msgctl(*id, IPC_STAT, &ds) != 0) {
      return ErrnoError(errno, "msgctl(IPC_STAT)", DescribeKey(key));
    }
    absl::Status adoptable =
        CheckOwnership("System V message queue", key.ToString(),
                       ds.msg_perm.uid, ds.msg_perm.mode,
                       MayCreate(options.open_mode)
                           ? std::optional<Permissions>(options.permissions)
                           : std::nullopt,
                       options.ownership);
    if (!adoptable.ok()) return adoptable;
  }
  // From here on the object owns what it created, so an error below removes
  // the queue again (if asked to) through the destructor.
  const size_t max_message_size = options.max_message_size == 0
                                      ? limits->max_message_size
                                      : options.max_message_size;
  MessageQueue queue(*id, key, created, options.remove_when_destroyed,
                     limits->max_message_size, max_message_size,
                     options.max_poll_interval);
  if (created && options.queue_bytes != 0) {
    if (absl::Status s = SetQueueBytes(*id, options.queue_bytes, key);
        !s.ok()) {
      ::msgctl(*id, IPC_RMID, nullptr);
      queue.Reset();
      return s;
    }
  }
  return queue;
}

absl::StatusOr<MessageQueue> MessageQueue::CreatePrivate(
    QueueCapacity capacity) {
  if (capacity.max_messages == 0 || capacity.max_message_size == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a queue needs room for at least one message of at least one byte "
        "(max_messages ",
        capacity.max_messages, ", max_message_size ", capacity.max_message_size,
        ")"));
  }
  if (capacity.max_messages >
      std::numeric_limits<size_t>::max() / capacity.max_message_size) {
    return absl::InvalidArgumentError("queue capacity overflows size_t");
  }
  QueueOptions options;
  options.open_mode = OpenMode::kCreateExclusive;
  options.max_message_size = capacity.max_message_size;
  options.queue_bytes = capacity.max_messages * capacity.max_message_size;
  options.remove_when_destroyed = true;
  return Open(IpcKey::Private(), options);
}

MessageQueue::MessageQueue(int id, IpcKey key, bool created,
                           bool remove_when_destroyed, size_t msgmax,
                           size_t max_message_size,
                           absl::Duration max_poll_interval)
    : id_(id),
      key_(key),
      created_(created),
      remove_when_destroyed_(remove_when_destroyed && created),
      msgmax_(msgmax),
      max_message_size_(max_message_size),
      max_poll_interval_(max_poll_interval),
      send_buffer_(MessageBuffer(max_message_size)),
      receive_buffer_(MessageBuffer(max_message_size)) {}

MessageQueue::MessageQueue(MessageQueue&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      key_(other.key_),
      created_(std::exchange(other.created_, false)),
      remove_when_destroyed_(
          std::exchange(other.remove_when_destroyed_, false)),
      msgmax_(other.msgmax_),
      max_message_size_(std::exchange(other.max_message_size_, 0)),
      max_poll_interval_(other.max_poll_interval_),
      send_buffer_(std::move(other.send_buffer_)),
      receive_buffer_(std::move(other.receive_buffer_)) {}

MessageQueue& MessageQueue::operator=(MessageQueue&& other) noexcept {
  if (this != &other) {
    RemoveIfOwned();
    id_ = std::exchange(other.id_, -1);
    key_ = other.key_;
    created_ = std::exchange(other.created_, false);
    remove_when_destroyed_ = std::exchange(other.remove_when_destroyed_, false);
    msgmax_ = other.msgmax_;
    max_message_size_ = std::exchange(other.max_message_size_, 0);
    max_poll_interval_ = other.max_poll_interval_;
    send_buffer_ = std::move(other.send_buffer_);
    receive_buffer_ = std::move(other.receive_buffer_);
  }
  return *this;
}

MessageQueue::~MessageQueue() { RemoveIfOwned(); }

void MessageQueue::RemoveIfOwned() {
  if (valid() && remove_when_destroyed_) ::msgctl(id_, IPC_RMID, nullptr);
}

void MessageQueue::Reset() {
  id_ = -1;
  created_ = false;
  remove_when_destroyed_ = false;
}

std::string MessageQueue::Describe() const {
  return absl::StrCat("System V message queue id ", id_, " (", key_.ToString(),
                      ")");
}

absl::Status MessageQueue::NotOpenError(const char* call) const {
  return absl::FailedPreconditionError(absl::StrCat(
      "sysv::MessageQueue::", call,
      ": the queue is not open (moved from, removed, or never opened)"));
}

absl::Status MessageQueue::SendRaw(const void* msgbuf, size_t size, Wait wait) {
  if (!valid()) return NotOpenError("Send");
  long type;
  std::memcpy(&type, msgbuf, sizeof(type));
  if (type <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "msgsnd(", Describe(), "): message type must be > 0, got ", type));
  }
  if (size > msgmax_) {
    return absl::InvalidArgumentError(
        absl::StrCat("msgsnd(", Describe(), "): payload of ", size,
                     " bytes is over the kernel's limit msgmax = ", msgmax_,
                     " (", kMsgmaxPath, ")"));
  }
  const int flags = wait.mode == Wait::Mode::kBlock ? 0 : IPC_NOWAIT;
  // msgsnd()/msgrcv() have no timed form: a timed call retries with
  // IPC_NOWAIT, backing off (lib/core's README.md, "Waiting with a
  // deadline").
  Backoff backoff(max_poll_interval_);
  for (;;) {
    if (::msgsnd(id_, msgbuf, size, flags) == 0) return absl::OkStatus();
    const int err = errno;
    if (err == EINTR) continue;  // Never restarted by the kernel.
    if (err != EAGAIN) {
      if (err == EIDRM || err == EINVAL) {
        return absl::NotFoundError(absl::StrCat(
            "msgsnd(", Describe(), "): the queue has been removed"));
      }
      return ErrnoError(err, "msgsnd", Describe());
    }
    if (wait.mode == Wait::Mode::kTry) return WouldBlockError();
    if (!backoff.Wait(wait.deadline)) return TimedOutError();
  }
}

absl::StatusOr<size_t> MessageQueue::ReceiveRaw(void* msgbuf, size_t capacity,
                                                TypeSelector selector,
                                                Truncation truncation,
                                                Wait wait) {
  if (!valid()) return NotOpenError("Receive");
  if (!selector.valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "msgrcv(", Describe(), "): the type selector needs a type > 0, got ",
        selector.type()));
  }
  int flags = selector.msgflg();
  if (truncation == Truncation::kAllow) flags |= MSG_NOERROR;
  if (wait.mode != Wait::Mode::kBlock) flags |= IPC_NOWAIT;
  // msgsnd()/msgrcv() have no timed form: a timed call retries with
  // IPC_NOWAIT, backing off (lib/core's README.md, "Waiting with a
  // deadline").
  Backoff backoff(max_poll_interval_);
  for (;;) {
    const ssize_t n = ::msgrcv(id_, msgbuf, capacity, selector.msgtyp(), flags);
    if (n >= 0) return static_cast<size_t>(n);
    const int err = errno;
    if (err == EINTR) continue;  // Never restarted by the kernel.
    if (err != ENOMSG) {
      if (err == E2BIG) {
        return absl::InvalidArgumentError(absl::StrCat(
            "msgrcv(", Describe(),
            "): the next matching message is longer than the ", capacity,
            "-byte buffer; it stays queued (a receive with "
            "Truncation::kAllow would cut it)"));
      }
      if (err == EIDRM || err == EINVAL) {
        return absl::NotFoundError(absl::StrCat(
            "msgrcv(", Describe(), "): the queue has been removed"));
      }
      return ErrnoError(err, "msgrcv", Describe());
    }
    if (wait.mode == Wait::Mode::kTry) return WouldBlockError();
    if (!backoff.Wait(wait.deadline)) return TimedOutError();
  }
}

absl::Status MessageQueue::SendPriority(absl::string_view bytes,
                                        unsigned priority, Wait wait) {
  if (!valid()) return NotOpenError("Send");
  if (priority > kMaxMessagePriority) {
    return absl::InvalidArgumentError(absl::StrCat(
        "priority ", priority, " is over the highest, ", kMaxMessagePriority));
  }
  if (bytes.size() > max_message_size_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Send(", Describe(), "): payload of ", bytes.size(),
        " bytes is over this queue's max_message_size = ", max_message_size_,
        max_message_size_ == msgmax_
            ? absl::StrCat(", the kernel's msgmax (", kMsgmaxPath, ")")
            : std::string()));
  }
  send_buffer_[0] = TypeForPriority(priority);
  if (!bytes.empty()) {
    std::memcpy(send_buffer_.get() + 1, bytes.data(), bytes.size());
  }
  return SendRaw(send_buffer_.get(), bytes.size(), wait);
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceivePriority(
    absl::Span<char> buffer, Wait wait) {
  if (!valid()) return NotOpenError("Receive");
  const size_t capacity = std::min(buffer.size(), max_message_size_);
  absl::StatusOr<size_t> size =
      ReceiveRaw(receive_buffer_.get(), capacity, kHighestPriority,
                 Truncation::kReject, wait);
  if (!size.ok()) return size.status();
  if (*size != 0) std::memcpy(buffer.data(), receive_buffer_.get() + 1, *size);
  ReceivedMessage received;
  received.size = *size;
  received.priority = PriorityForType(receive_buffer_[0]);
  return received;
}

absl::Status MessageQueue::Send(absl::string_view bytes, unsigned priority) {
  return SendPriority(bytes, priority, Wait::Block());
}

absl::Status MessageQueue::TrySend(absl::string_view bytes, unsigned priority) {
  return SendPriority(bytes, priority, Wait::Try());
}

absl::Status MessageQueue::SendFor(absl::string_view bytes, unsigned priority,
                                   absl::Duration timeout) {
  return SendUntil(bytes, priority, Deadline::After(timeout));
}

absl::Status MessageQueue::SendUntil(absl::string_view bytes, unsigned priority,
                                     Deadline deadline) {
  return SendPriority(bytes, priority, Wait::Until(deadline));
}

absl::StatusOr<ReceivedMessage> MessageQueue::Receive(absl::Span<char> buffer) {
  return ReceivePriority(buffer, Wait::Block());
}

absl::StatusOr<ReceivedMessage> MessageQueue::TryReceive(
    absl::Span<char> buffer) {
  return ReceivePriority(buffer, Wait::Try());
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceiveFor(
    absl::Span<char> buffer, absl::Duration timeout) {
  return ReceiveUntil(buffer, Deadline::After(timeout));
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceiveUntil(
    absl::Span<char> buffer, Deadline deadline) {
  return ReceivePriority(buffer, Wait::Until(deadline));
}

absl::StatusOr<QueueStatus> MessageQueue::Stat() const {
  if (!valid()) return NotOpenError("Stat");
  struct msqid_ds ds;
  if (::msgctl(id_, IPC_STAT, &ds) != 0) {
    const int err = errno;
    if (err == EIDRM || err == EINVAL) {
      return absl::NotFoundError(absl::StrCat("msgctl(IPC_STAT, ", Describe(),
                                              "): the queue has been removed"));
    }
    return ErrnoError(err, "msgctl(IPC_STAT)", Describe());
  }
  QueueStatus status;
  status.messages = static_cast<size_t>(ds.msg_qnum);
  status.bytes = static_cast<size_t>(ds.__msg_cbytes);
  status.byte_limit = static_cast<size_t>(ds.msg_qbytes);
  status.last_sender = ds.msg_lspid;
  status.last_receiver = ds.msg_lrpid;
  status.owner_uid = ds.msg_perm.uid;
  status.creator_uid = ds.msg_perm.cuid;
  status.mode = ds.msg_perm.mode & 0777;
  return status;
}

absl::Status MessageQueue::Remove() {
  if (!valid()) return NotOpenError("Remove");
  if (::msgctl(id_, IPC_RMID, nullptr) != 0) {
    const int err = errno;
    if (err == EIDRM || err == EINVAL) {
      absl::Status gone = absl::NotFoundError(
          absl::StrCat("msgctl(IPC_RMID, ", Describe(), "): already removed"));
      Reset();
      return gone;
    }
    if (err == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat(
          "msgctl(IPC_RMID, ", Describe(),
          "): only the queue's owner or creator, or a privileged process, "
          "may remove it"));
    }
    return ErrnoError(err, "msgctl(IPC_RMID)", Describe());
  }
  Reset();
  return absl::OkStatus();
}

}  // namespace ipcbox::sysv
