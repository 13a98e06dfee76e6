// semaphore_contract.h
//
// What every named semaphore backend (`posix::NamedSemaphore`,
// `sysv::Semaphore`) offers, so that code written against the generic
// `Semaphore` (semaphore.h) builds whichever backend --//platforms:ipc_flavor
// picks. `SemaphoreContract<T>()` checks it at compile time;
// //lib/semaphore:contract_check runs it on both backends, so a backend that
// drifts fails the build.
//
//   static_assert(SemaphoreContract<posix::NamedSemaphore>());
//
// The contract (`name` is a PosixName or a string, `Options` is
// SemaphoreOptions):
//
//   static StatusOr<T> Open(name, const Options& = {});  // options.open_mode
//   static StatusOr<T> Create(name, const Options& = {});      // exclusive
//   static StatusOr<T> OpenExisting(name, const Options& = {});
//   Status Post(), Wait(), TryWait(), WaitUntil(Deadline),
//          WaitFor(absl::Duration), Remove();
//   StatusOr<int> Value() const;
//   void Disown(); bool created() const; bool is_open() const;
//
// plus: default-constructible (not open), move-only.

#ifndef IPCBOX_SEMAPHORE_SEMAPHORE_CONTRACT_H_
#define IPCBOX_SEMAPHORE_SEMAPHORE_CONTRACT_H_

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/contract.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox {
namespace semaphore_contract_internal {

template <typename T, typename Id>
using Open = decltype(T::Open(std::declval<const Id&>(),
                              std::declval<const SemaphoreOptions&>()));
template <typename T, typename Id>
using OpenDefault = decltype(T::Open(std::declval<const Id&>()));
template <typename T, typename Id>
using Create = decltype(T::Create(std::declval<const Id&>(),
                                  std::declval<const SemaphoreOptions&>()));
template <typename T, typename Id>
using OpenExisting = decltype(T::OpenExisting(
    std::declval<const Id&>(), std::declval<const SemaphoreOptions&>()));
template <typename T>
using Post = decltype(std::declval<T&>().Post());
template <typename T>
using Wait = decltype(std::declval<T&>().Wait());
template <typename T>
using TryWait = decltype(std::declval<T&>().TryWait());
template <typename T>
using WaitUntil = decltype(std::declval<T&>().WaitUntil(Deadline::Expired()));
template <typename T>
using WaitFor =
    decltype(std::declval<T&>().WaitFor(std::declval<absl::Duration>()));
template <typename T>
using Value = decltype(std::declval<const T&>().Value());
template <typename T>
using Remove = decltype(std::declval<T&>().Remove());
template <typename T>
using Disown = decltype(std::declval<T&>().Disown());
template <typename T>
using Created = decltype(std::declval<const T&>().created());
template <typename T>
using IsOpen = decltype(std::declval<const T&>().is_open());
template <typename Options>
using OptionsOpenMode = decltype(std::declval<Options&>().open_mode);

// Every factory, for one identifier type.
template <typename T, typename Id>
constexpr bool FactoriesFor() {
  using contract::kReturns;
  using Result = absl::StatusOr<T>;
  static_assert(kReturns<Result, Open, T, Id>,
                "Semaphore: static StatusOr<T> Open(name, const "
                "SemaphoreOptions&)");
  static_assert(kReturns<Result, OpenDefault, T, Id>,
                "Semaphore: Open(name) with default options");
  static_assert(kReturns<Result, Create, T, Id>,
                "Semaphore: static StatusOr<T> Create(name, const "
                "SemaphoreOptions&)");
  static_assert(kReturns<Result, OpenExisting, T, Id>,
                "Semaphore: static StatusOr<T> OpenExisting(name, const "
                "SemaphoreOptions&)");
  return true;
}

}  // namespace semaphore_contract_internal

// True if `T` keeps the contract above; each part that it breaks fails a
// static_assert naming it.
template <typename T>
constexpr bool SemaphoreContract() {
  namespace c = semaphore_contract_internal;
  using contract::kReturns;
  static_assert(c::FactoriesFor<T, PosixName>());
  static_assert(c::FactoriesFor<T, absl::string_view>());
  static_assert(kReturns<OpenMode, c::OptionsOpenMode, SemaphoreOptions>,
                "Semaphore: SemaphoreOptions must have `OpenMode open_mode`");
  static_assert(kReturns<absl::Status, c::Post, T>,
                "Semaphore: absl::Status Post()");
  static_assert(kReturns<absl::Status, c::Wait, T>,
                "Semaphore: absl::Status Wait()");
  static_assert(kReturns<absl::Status, c::TryWait, T>,
                "Semaphore: absl::Status TryWait()");
  static_assert(kReturns<absl::Status, c::WaitUntil, T>,
                "Semaphore: absl::Status WaitUntil(Deadline)");
  static_assert(kReturns<absl::Status, c::WaitFor, T>,
                "Semaphore: absl::Status WaitFor(absl::Duration)");
  static_assert(kReturns<absl::StatusOr<int>, c::Value, T>,
                "Semaphore: absl::StatusOr<int> Value() const");
  static_assert(kReturns<absl::Status, c::Remove, T>,
                "Semaphore: absl::Status Remove()");
  static_assert(kReturns<void, c::Disown, T>, "Semaphore: void Disown()");
  static_assert(kReturns<bool, c::Created, T>,
                "Semaphore: bool created() const");
  static_assert(kReturns<bool, c::IsOpen, T>,
                "Semaphore: bool is_open() const");
  static_assert(std::is_default_constructible_v<T>,
                "Semaphore: default-constructible (not open)");
  static_assert(contract::kIsMoveOnlyResource<T>,
                "Semaphore: movable (noexcept), not copyable");
  return true;
}

}  // namespace ipcbox

#endif  // IPCBOX_SEMAPHORE_SEMAPHORE_CONTRACT_H_
