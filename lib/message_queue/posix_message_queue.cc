#include "ipcbox/message_queue/posix_message_queue.h"

#include <fcntl.h>
#include <mqueue.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_limits.h"

namespace ipcbox::posix {
namespace {

static_assert(MQ_PRIO_MAX - 1 == kMaxMessagePriority,
              "ipcbox priorities are POSIX's range on Linux");

// How many names `CreatePrivate()` tries before it gives up: each one taken
// by a queue it did not make (one a dead process with the same pid left, or
// a process in another pid namespace) costs one attempt.
constexpr int kPrivateNameAttempts = 16;

// The name `CreatePrivate()` gives its queue until it unlinks it: the pid
// tells live processes apart and the counter one process's calls; the
// exclusive create catches the rest.
absl::StatusOr<PosixName> PrivateQueueName() {
  static std::atomic<uint32_t> calls{0};
  return PosixName::Create(
      absl::StrCat("/ipcbox-mq.", static_cast<long>(::getpid()), ".",
                   calls.fetch_add(1, std::memory_order_relaxed)));
}

// A time long past: a timed call with it makes one attempt and does not wait.
constexpr struct timespec kPast = {0, 0};

// How a send or receive that failed with `err` ends: nullopt to try again
// (EINTR; ETIMEDOUT before the monotonic `deadline`, the wall clock having
// jumped forwards), else would-block, timed-out, or the status of `call`
// naming the queue `describe()` returns (only then built: it allocates).
template <typename Describe>
std::optional<absl::Status> EndOfFailedCall(int err, bool try_once,
                                            const Deadline& deadline,
                                            const char* call,
                                            Describe describe) {
  if (err == EINTR) return std::nullopt;
  if (err == EAGAIN || (err == ETIMEDOUT && try_once)) {
    return WouldBlockError();
  }
  if (err == ETIMEDOUT) {
    if (deadline.expired()) return TimedOutError();
    return std::nullopt;
  }
  return ErrnoError(err, call, describe());
}

int AccessFlags(Access access) {
  switch (access) {
    case Access::kReceiveOnly:
      return O_RDONLY;
    case Access::kSendOnly:
      return O_WRONLY;
    case Access::kSendAndReceive:
      return O_RDWR;
  }
  return O_RDWR;
}

absl::Status CheckCapacity(const QueueCapacity& capacity,
                           const QueueLimits& limits) {
  if (capacity.max_messages == 0 || capacity.max_message_size == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a queue needs room for at least one message of at least one byte "
        "(max_messages ",
        capacity.max_messages, ", max_message_size ", capacity.max_message_size,
        ")"));
  }
  if (capacity.max_messages > limits.max_messages) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_messages (mq_maxmsg) ", capacity.max_messages,
        " is over the kernel's limit msg_max = ", limits.max_messages, " (",
        kMsgMaxPath, ")"));
  }
  if (capacity.max_message_size > limits.max_message_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_size (mq_msgsize) ", capacity.max_message_size,
        " is over the kernel's limit msgsize_max = ", limits.max_message_size,
        " (", kMsgsizeMaxPath, ")"));
  }
  return absl::OkStatus();
}

absl::Status MqOpenError(int err, const PosixName& name) {
  const std::string quoted = QuoteForMessage(name.view());
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(
          absl::StrCat("mq_open: no message queue ", quoted, " exists"));
    case EEXIST:
      return absl::AlreadyExistsError(
          absl::StrCat("mq_open: message queue ", quoted, " already exists"));
    case EMFILE:
      return absl::ResourceExhaustedError(absl::StrCat(
          "mq_open(", quoted,
          "): this process has too many descriptors open, or the user's "
          "queues would take more than RLIMIT_MSGQUEUE bytes"));
    case ENFILE:
      return absl::ResourceExhaustedError(
          absl::StrCat("mq_open(", quoted,
                       "): the system-wide limit on open files is reached"));
    case ENOSPC:
      return absl::ResourceExhaustedError(
          absl::StrCat("mq_open(", quoted,
                       "): the system-wide number of queues "
                       "(/proc/sys/fs/mqueue/queues_max) is reached"));
    case ENOSYS:
      return absl::UnimplementedError(absl::StrCat(
          "mq_open(", quoted,
          "): this kernel has no POSIX message queues (CONFIG_POSIX_MQUEUE)"));
    default:
      return ErrnoError(err, "mq_open", name.view());
  }
}

// mq_open() that tells whether it created the queue. Open-or-create tries an
// exclusive create first so that `created` is the truth rather than a guess.
absl::StatusOr<Fd> OpenQueue(const PosixName& name, const QueueOptions& options,
                             struct mq_attr* attr, bool& created) {
  const int access = AccessFlags(options.access);
  const mode_t mode = options.permissions.mode();
  if (RemovesExisting(options.open_mode) && ::mq_unlink(name.c_str()) != 0 &&
      errno != ENOENT) {
    const int err = errno;
    return ErrnoError(err, "mq_unlink (purging)", name.view());
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (MayCreate(options.open_mode)) {
      const mqd_t fd =
          ::mq_open(name.c_str(), access | O_CREAT | O_EXCL, mode, attr);
      if (fd != static_cast<mqd_t>(-1)) {
        created = true;
        return Fd(fd);
      }
      if (errno != EEXIST || options.open_mode != OpenMode::kOpenOrCreate) {
        return MqOpenError(errno, name);
      }
    }
    const mqd_t fd = ::mq_open(name.c_str(), access);
    if (fd != static_cast<mqd_t>(-1)) {
      created = false;
      return Fd(fd);
    }
    if (errno != ENOENT || options.open_mode != OpenMode::kOpenOrCreate) {
      return MqOpenError(errno, name);
    }
  }
  return absl::AbortedError(absl::StrCat(
      "mq_open: message queue ", QuoteForMessage(name.view()),
      " kept being created and removed by others while opening it"));
}

}  // namespace

absl::StatusOr<MessageQueue> MessageQueue::Open(const PosixName& name,
                                                const QueueOptions& options) {
  absl::StatusOr<QueueLimits> limits = ReadQueueLimits();
  if (!limits.ok()) return limits.status();
  struct mq_attr attr = {};
  struct mq_attr* attr_arg = nullptr;
  if (options.capacity.has_value()) {
    if (absl::Status s = CheckCapacity(*options.capacity, *limits); !s.ok()) {
      return s;
    }
    attr.mq_maxmsg = static_cast<long>(options.capacity->max_messages);
    attr.mq_msgsize = static_cast<long>(options.capacity->max_message_size);
    attr_arg = &attr;
  }

  bool created = false;
  absl::StatusOr<Fd> fd = OpenQueue(name, options, attr_arg, created);
  if (!fd.ok()) return fd.status();
  // Unlinks what it created if a step below fails.
  auto undo = [&](absl::Status status) {
    if (created) ::mq_unlink(name.c_str());
    return status;
  };
  if (created) {
    if (absl::Status s =
            ApplyPermissions(fd->get(), options.permissions, name.view());
        !s.ok()) {
      return undo(s);
    }
  }
  struct mq_attr actual;
  if (::mq_getattr(fd->get(), &actual) != 0) {
    const int err = errno;
    return undo(ErrnoError(err, "mq_getattr", name.view()));
  }
  QueueCapacity capacity;
  capacity.max_messages = static_cast<size_t>(actual.mq_maxmsg);
  capacity.max_message_size = static_cast<size_t>(actual.mq_msgsize);
  return MessageQueue(*std::move(fd), name, created,
                      options.remove_when_destroyed, options.access, capacity);
}

absl::StatusOr<MessageQueue> MessageQueue::CreatePrivate(
    QueueCapacity capacity) {
  QueueOptions options;  // kCreateExclusive: never someone else's queue
  options.capacity = capacity;
  // Until the name is unlinked below, a failure must not leave it behind.
  options.remove_when_destroyed = true;
  absl::StatusOr<MessageQueue> queue;
  for (int attempt = 0; attempt < kPrivateNameAttempts; ++attempt) {
    absl::StatusOr<PosixName> name = PrivateQueueName();
    if (!name.ok()) return name.status();
    queue = Open(*name, options);
    if (!absl::IsAlreadyExists(queue.status())) break;
  }
  if (!queue.ok()) return queue.status();
  if (absl::Status s = queue->Remove(); !s.ok()) return s;
  queue->name_.reset();
  return queue;
}

absl::Status MessageQueue::Unlink(const PosixName& name) {
  if (::mq_unlink(name.c_str()) == 0) return absl::OkStatus();
  const int err = errno;
  if (err == ENOENT) {
    return absl::NotFoundError(absl::StrCat("mq_unlink: no message queue ",
                                            QuoteForMessage(name.view()),
                                            " exists"));
  }
  return ErrnoError(err, "mq_unlink", name.view());
}

MessageQueue::MessageQueue(MessageQueue&& other) noexcept
    : fd_(std::move(other.fd_)),
      name_(std::move(other.name_)),
      created_(std::exchange(other.created_, false)),
      remove_when_destroyed_(
          std::exchange(other.remove_when_destroyed_, false)),
      access_(other.access_),
      capacity_(other.capacity_) {
  other.name_.reset();
}

MessageQueue& MessageQueue::operator=(MessageQueue&& other) noexcept {
  if (this != &other) {
    UnlinkIfOwned();
    fd_ = std::move(other.fd_);
    name_ = std::move(other.name_);
    other.name_.reset();
    created_ = std::exchange(other.created_, false);
    remove_when_destroyed_ = std::exchange(other.remove_when_destroyed_, false);
    access_ = other.access_;
    capacity_ = other.capacity_;
  }
  return *this;
}

MessageQueue::~MessageQueue() { UnlinkIfOwned(); }

void MessageQueue::UnlinkIfOwned() {
  if (remove_when_destroyed_ && name_.has_value()) ::mq_unlink(name_->c_str());
  remove_when_destroyed_ = false;
}

std::string MessageQueue::Describe() const {
  if (name_.has_value()) {
    return absl::StrCat("message queue ", QuoteForMessage(name_->view()));
  }
  return absl::StrCat("private message queue (fd ", fd_.get(), ")");
}

absl::Status MessageQueue::CheckSend(absl::string_view bytes,
                                     unsigned priority) const {
  if (!valid()) {
    return absl::FailedPreconditionError(
        "posix::MessageQueue::Send: the queue is not open");
  }
  if (access_ == Access::kReceiveOnly) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mq_send(", Describe(), "): the queue was opened receive-only"));
  }
  if (priority > kMaxMessagePriority) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mq_send(", Describe(), "): priority ", priority,
        " is over the highest, ", kMaxMessagePriority, " (MQ_PRIO_MAX - 1)"));
  }
  if (bytes.size() > capacity_.max_message_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("mq_send(", Describe(), "): payload of ", bytes.size(),
                     " bytes is over the queue's message size mq_msgsize = ",
                     capacity_.max_message_size));
  }
  return absl::OkStatus();
}

absl::Status MessageQueue::CheckReceive(absl::Span<char> buffer) const {
  if (!valid()) {
    return absl::FailedPreconditionError(
        "posix::MessageQueue::Receive: the queue is not open");
  }
  if (access_ == Access::kSendOnly) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mq_receive(", Describe(), "): the queue was opened send-only"));
  }
  if (buffer.size() < capacity_.max_message_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mq_receive(", Describe(), "): the ", buffer.size(),
        "-byte buffer is smaller than the queue's message size mq_msgsize = ",
        capacity_.max_message_size,
        "; the kernel refuses it whatever the message's length"));
  }
  return absl::OkStatus();
}

absl::Status MessageQueue::SendWith(absl::string_view bytes, unsigned priority,
                                    Wait wait, Deadline deadline) {
  if (absl::Status s = CheckSend(bytes, priority); !s.ok()) return s;
  for (;;) {
    int r;
    if (wait == Wait::kBlock) {
      r = ::mq_send(fd_.get(), bytes.data(), bytes.size(), priority);
    } else {
      const struct timespec when =
          wait == Wait::kTry ? kPast : deadline.RealtimeTimespec();
      r = ::mq_timedsend(fd_.get(), bytes.data(), bytes.size(), priority,
                         &when);
    }
    if (r == 0) return absl::OkStatus();
    if (std::optional<absl::Status> end =
            EndOfFailedCall(errno, wait == Wait::kTry, deadline, "mq_send",
                            [this] { return Describe(); })) {
      return *std::move(end);
    }
  }
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceiveWith(
    absl::Span<char> buffer, Wait wait, Deadline deadline) {
  if (absl::Status s = CheckReceive(buffer); !s.ok()) return s;
  for (;;) {
    unsigned priority = 0;
    ssize_t n;
    if (wait == Wait::kBlock) {
      n = ::mq_receive(fd_.get(), buffer.data(), buffer.size(), &priority);
    } else {
      const struct timespec when =
          wait == Wait::kTry ? kPast : deadline.RealtimeTimespec();
      n = ::mq_timedreceive(fd_.get(), buffer.data(), buffer.size(), &priority,
                            &when);
    }
    if (n >= 0) {
      ReceivedMessage received;
      received.size = static_cast<size_t>(n);
      received.priority = priority;
      return received;
    }
    if (std::optional<absl::Status> end =
            EndOfFailedCall(errno, wait == Wait::kTry, deadline, "mq_receive",
                            [this] { return Describe(); })) {
      return *std::move(end);
    }
  }
}

absl::Status MessageQueue::Send(absl::string_view bytes, unsigned priority) {
  return SendWith(bytes, priority, Wait::kBlock, Deadline::Infinite());
}

absl::Status MessageQueue::TrySend(absl::string_view bytes, unsigned priority) {
  return SendWith(bytes, priority, Wait::kTry, Deadline::Expired());
}

absl::Status MessageQueue::SendFor(absl::string_view bytes, unsigned priority,
                                   absl::Duration timeout) {
  return SendUntil(bytes, priority, Deadline::After(timeout));
}

absl::Status MessageQueue::SendUntil(absl::string_view bytes, unsigned priority,
                                     Deadline deadline) {
  return SendWith(bytes, priority,
                  deadline.is_infinite() ? Wait::kBlock : Wait::kUntil,
                  deadline);
}

absl::StatusOr<ReceivedMessage> MessageQueue::Receive(absl::Span<char> buffer) {
  return ReceiveWith(buffer, Wait::kBlock, Deadline::Infinite());
}

absl::StatusOr<ReceivedMessage> MessageQueue::TryReceive(
    absl::Span<char> buffer) {
  return ReceiveWith(buffer, Wait::kTry, Deadline::Expired());
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceiveFor(
    absl::Span<char> buffer, absl::Duration timeout) {
  return ReceiveUntil(buffer, Deadline::After(timeout));
}

absl::StatusOr<ReceivedMessage> MessageQueue::ReceiveUntil(
    absl::Span<char> buffer, Deadline deadline) {
  return ReceiveWith(
      buffer, deadline.is_infinite() ? Wait::kBlock : Wait::kUntil, deadline);
}

absl::StatusOr<QueueStatus> MessageQueue::Stat() const {
  if (!valid()) {
    return absl::FailedPreconditionError(
        "posix::MessageQueue::Stat: the queue is not open");
  }
  struct mq_attr attr;
  if (::mq_getattr(fd_.get(), &attr) != 0) {
    const int err = errno;
    return ErrnoError(err, "mq_getattr", Describe());
  }
  QueueStatus status;
  status.messages = static_cast<size_t>(attr.mq_curmsgs);
  status.capacity.max_messages = static_cast<size_t>(attr.mq_maxmsg);
  status.capacity.max_message_size = static_cast<size_t>(attr.mq_msgsize);
  return status;
}

absl::Status MessageQueue::Remove() {
  if (!name_.has_value()) return absl::OkStatus();
  remove_when_destroyed_ = false;
  return Unlink(*name_);
}

}  // namespace ipcbox::posix
