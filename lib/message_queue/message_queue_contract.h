// message_queue_contract.h
//
// What every message queue backend (`posix::MessageQueue`,
// `sysv::MessageQueue`) offers, so that code written against the generic
// `MessageQueue` (message_queue.h) builds whichever backend
// --//platforms:ipc_flavor picks. `MessageQueueContract<T>()` checks it at
// compile time; //lib/message_queue:contract_check runs it on both
// backends, so a backend that drifts fails the build.
//
//   static_assert(MessageQueueContract<posix::MessageQueue>());
//
// The contract (`T::Id` names a queue and `T::Options` says how to open it:
// they differ per backend, a PosixName or an IpcKey):
//
//   static StatusOr<T> Open(const Id&, const Options& = {});  // open_mode
//   static StatusOr<T> CreatePrivate(QueueCapacity);
//   Status Send(string_view, unsigned priority), TrySend(...),
//          SendFor(..., absl::Duration), SendUntil(..., Deadline);
//   StatusOr<ReceivedMessage> Receive(Span<char>), TryReceive(...),
//          ReceiveFor(..., absl::Duration), ReceiveUntil(..., Deadline);
//   size_t max_message_size() const; bool valid() const;
//   bool created() const; bool owner() const; void Disown(); Status Remove();
//
// plus: default-constructible (not open), move-only.

#ifndef IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_CONTRACT_H_
#define IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_CONTRACT_H_

#include <cstddef>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/contract.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/message_queue/common.h"

namespace ipcbox {
namespace message_queue_contract_internal {

template <typename T>
using Open = decltype(T::Open(std::declval<const typename T::Id&>(),
                              std::declval<const typename T::Options&>()));
template <typename T>
using OpenDefault = decltype(T::Open(std::declval<const typename T::Id&>()));
template <typename T>
using OptionsOpenMode =
    decltype(std::declval<typename T::Options&>().open_mode);
template <typename T>
using CreatePrivate = decltype(T::CreatePrivate(QueueCapacity{}));
template <typename T>
using Send = decltype(std::declval<T&>().Send(absl::string_view(), 0u));
template <typename T>
using TrySend = decltype(std::declval<T&>().TrySend(absl::string_view(), 0u));
template <typename T>
using SendFor = decltype(std::declval<T&>().SendFor(
    absl::string_view(), 0u, std::declval<absl::Duration>()));
template <typename T>
using SendUntil = decltype(std::declval<T&>().SendUntil(absl::string_view(), 0u,
                                                        Deadline::Expired()));
template <typename T>
using Receive =
    decltype(std::declval<T&>().Receive(std::declval<absl::Span<char>>()));
template <typename T>
using TryReceive =
    decltype(std::declval<T&>().TryReceive(std::declval<absl::Span<char>>()));
template <typename T>
using ReceiveFor = decltype(std::declval<T&>().ReceiveFor(
    std::declval<absl::Span<char>>(), std::declval<absl::Duration>()));
template <typename T>
using ReceiveUntil = decltype(std::declval<T&>().ReceiveUntil(
    std::declval<absl::Span<char>>(), Deadline::Expired()));
template <typename T>
using MaxMessageSize = decltype(std::declval<const T&>().max_message_size());
template <typename T>
using Valid = decltype(std::declval<const T&>().valid());
template <typename T>
using Created = decltype(std::declval<const T&>().created());
template <typename T>
using Owner = decltype(std::declval<const T&>().owner());
template <typename T>
using Disown = decltype(std::declval<T&>().Disown());
template <typename T>
using Remove = decltype(std::declval<T&>().Remove());

}  // namespace message_queue_contract_internal

// True if `T` keeps the contract above; each part that it breaks fails a
// static_assert naming it.
template <typename T>
constexpr bool MessageQueueContract() {
  namespace c = message_queue_contract_internal;
  using contract::kReturns;
  using Result = absl::StatusOr<T>;
  using Received = absl::StatusOr<ReceivedMessage>;
  static_assert(kReturns<OpenMode, c::OptionsOpenMode, T>,
                "MessageQueue: Options must have `OpenMode open_mode`");
  static_assert(kReturns<Result, c::Open, T>,
                "MessageQueue: static StatusOr<T> Open(const Id&, const "
                "Options&)");
  static_assert(kReturns<Result, c::OpenDefault, T>,
                "MessageQueue: Open(const Id&) with default options");
  static_assert(
      kReturns<Result, c::CreatePrivate, T>,
      "MessageQueue: static StatusOr<T> CreatePrivate(QueueCapacity)");
  static_assert(kReturns<absl::Status, c::Send, T>,
                "MessageQueue: absl::Status Send(string_view, unsigned)");
  static_assert(kReturns<absl::Status, c::TrySend, T>,
                "MessageQueue: absl::Status TrySend(string_view, unsigned)");
  static_assert(kReturns<absl::Status, c::SendFor, T>,
                "MessageQueue: absl::Status SendFor(string_view, unsigned, "
                "absl::Duration)");
  static_assert(kReturns<absl::Status, c::SendUntil, T>,
                "MessageQueue: absl::Status SendUntil(string_view, unsigned, "
                "Deadline)");
  static_assert(kReturns<Received, c::Receive, T>,
                "MessageQueue: StatusOr<ReceivedMessage> Receive(Span<char>)");
  static_assert(kReturns<Received, c::TryReceive, T>,
                "MessageQueue: StatusOr<ReceivedMessage> "
                "TryReceive(Span<char>)");
  static_assert(kReturns<Received, c::ReceiveFor, T>,
                "MessageQueue: StatusOr<ReceivedMessage> "
                "ReceiveFor(Span<char>, absl::Duration)");
  static_assert(kReturns<Received, c::ReceiveUntil, T>,
                "MessageQueue: StatusOr<ReceivedMessage> "
                "ReceiveUntil(Span<char>, Deadline)");
  static_assert(kReturns<size_t, c::MaxMessageSize, T>,
                "MessageQueue: size_t max_message_size() const");
  static_assert(kReturns<bool, c::Valid, T>,
                "MessageQueue: bool valid() const");
  static_assert(kReturns<bool, c::Created, T>,
                "MessageQueue: bool created() const");
  static_assert(kReturns<bool, c::Owner, T>,
                "MessageQueue: bool owner() const");
  static_assert(kReturns<void, c::Disown, T>, "MessageQueue: void Disown()");
  static_assert(kReturns<absl::Status, c::Remove, T>,
                "MessageQueue: absl::Status Remove()");
  static_assert(std::is_default_constructible_v<T>,
                "MessageQueue: default-constructible (not open)");
  static_assert(contract::kIsMoveOnlyResource<T>,
                "MessageQueue: movable (noexcept), not copyable");
  return true;
}

}  // namespace ipcbox

#endif  // IPCBOX_MESSAGE_QUEUE_MESSAGE_QUEUE_CONTRACT_H_
