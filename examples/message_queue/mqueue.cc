#include "examples/message_queue/mqueue.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "ipcbox/message_queue/sysv_message_queue.h"

namespace ipcbox::examples {
namespace {

using Message = sysv::Message<kWireSize>;

// The message text is what follows the type: it starts with the payload.
static_assert(offsetof(QueuedMessage, payload) == sizeof(long),
              "the payload must follow the type directly");

// The seed's key and msgget(key, mode | IPC_CREAT), or the exit code after
// printing the seed's complaint.
absl::StatusOr<sysv::MessageQueue> OpenSeedQueue(const std::string& path,
                                                 int project_id, mode_t mode,
                                                 const char* key_complaint,
                                                 const char* queue_complaint,
                                                 std::ostream& err) {
  absl::StatusOr<sysv::IpcKey> key = sysv::IpcKey::FromPath(path, project_id);
  if (!key.ok()) {
    err << key_complaint << ": " << key.status().message() << "\n";
    return key.status();
  }
  absl::StatusOr<Permissions> permissions = Permissions::FromMode(mode);
  if (!permissions.ok()) {
    err << queue_complaint << ": " << permissions.status().message() << "\n";
    return permissions.status();
  }
  sysv::QueueOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.permissions = *permissions;
  // Only the typed calls are used: no buffers for the priority calls.
  options.max_message_size = 1;
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(*key, options);
  if (!queue.ok()) {
    err << queue_complaint << ": " << queue.status().message() << "\n";
  }
  return queue;
}

sysv::TypeSelector SelectorFor(long msgtyp) {
  if (msgtyp > 0) return sysv::TypeSelector::Exactly(msgtyp);
  if (msgtyp == 0) return sysv::TypeSelector::Any();
  return sysv::TypeSelector::LowestUpTo(-msgtyp);
}

// The payload as the seed's printf("%s") shows it, but never past the
// message.
absl::string_view PrintablePayload(const Message& message) {
  const absl::string_view text = message.payload();
  const size_t limit = std::min(text.size(), kMsgLen + 1);
  return text.substr(0, ::strnlen(text.data(), limit));
}

}  // namespace

int RunSender(const SenderConfig& config, std::ostream& out,
              std::ostream& err) {
  if (config.payloads.size() != config.types.size()) {
    err << "sender: " << config.payloads.size() << " payloads but "
        << config.types.size() << " types\n";
    return kExitBadArguments;
  }
  for (const std::string& payload : config.payloads) {
    if (payload.size() > kMsgLen) {
      err << "sender: payload \"" << payload << "\" is longer than MsgLen ("
          << kMsgLen << ")\n";
      return kExitBadArguments;
    }
  }
  absl::StatusOr<sysv::MessageQueue> queue =
      OpenSeedQueue(config.path, config.project_id, config.mode,
                    "couldn't get key...", "couldn't get queue id...", err);
  if (!queue.ok()) return kExitSetUpFailed;

  int failures = 0;
  for (size_t i = 0; i < config.payloads.size(); ++i) {
    // Build the seed's struct in the message text: payload, NUL, zeros.
    Message message;
    message.set_type(config.types[i]);
    std::memset(message.mutable_buffer().data(), 0, kWireSize);
    std::memcpy(message.mutable_buffer().data(), config.payloads[i].data(),
                config.payloads[i].size());
    (void)message.SetPayloadSize(kWireSize);
    const absl::Status sent = config.nowait ? queue->TrySendMessage(message)
                                            : queue->SendMessage(message);
    if (!sent.ok()) {
      err << "msgsnd trouble... (" << config.payloads[i] << ", type "
          << config.types[i] << "): "
          << (IsWouldBlock(sent) ? "the queue is full" : sent.ToString())
          << "\n";
      ++failures;
      continue;
    }
    out << config.payloads[i] << " sent as type "
        << static_cast<int>(config.types[i]) << "\n";
  }
  out.flush();
  return failures == 0 ? 0 : kExitSomeMessagesFailed;
}

int RunReceiver(const ReceiverConfig& config, std::ostream& out,
                std::ostream& err) {
  absl::StatusOr<sysv::MessageQueue> queue =
      OpenSeedQueue(config.path, config.project_id, config.mode,
                    "key not gotten...", "no access to queue...", err);
  if (!queue.ok()) return kExitSetUpFailed;

  int failures = 0;
  for (long msgtyp : config.types) {
    Message message;
    const sysv::TypeSelector selector = SelectorFor(msgtyp);
    // MSG_NOERROR, as the seed: a longer message is cut to the struct.
    const absl::Status got =
        config.nowait ? queue->TryReceiveMessage(message, selector,
                                                 sysv::Truncation::kAllow)
                      : queue->ReceiveMessage(message, selector,
                                              sysv::Truncation::kAllow);
    if (!got.ok()) {
      out << "msgrcv trouble...\n";
      err << "msgrcv(type " << msgtyp << "): "
          << (IsWouldBlock(got) ? "no message of that type" : got.ToString())
          << "\n";
      ++failures;
      continue;
    }
    out << PrintablePayload(message) << " received as type "
        << static_cast<int>(message.type()) << "\n";
  }
  out.flush();
  if (config.remove) {
    if (absl::Status removed = queue->Remove(); !removed.ok()) {
      err << "trouble removing queue...: " << removed.message() << "\n";
      return kExitSetUpFailed;
    }
  }
  return failures == 0 ? 0 : kExitSomeMessagesFailed;
}

}  // namespace ipcbox::examples
