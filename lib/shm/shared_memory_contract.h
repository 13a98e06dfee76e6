// shared_memory_contract.h
//
// What every shared memory backend (`posix::SharedMemory`,
// `sysv::SharedMemory`) offers, so that code written against the generic
// `SharedMemory` (shared_memory.h) builds whichever backend
// --//platforms:ipc_flavor picks. `SharedMemoryContract<T>()` checks it at
// compile time; //lib/shm:contract_check runs it on both backends, so a
// backend that drifts fails the build.
//
//   static_assert(SharedMemoryContract<posix::SharedMemory>());
//
// The contract (`name` is a PosixName, which both accept; `T::Id` is each
// backend's own identifier):
//
//   static StatusOr<T> Open(name, size_t size,
//                           const SharedMemoryOptions& = {});  // open_mode
//   static StatusOr<T> Create(name, size_t size, Permissions = OwnerOnly());
//   static StatusOr<T> OpenExisting(name, size_t size,
//                                   MemoryAccess = kReadWrite);
//   static Status Remove(name);
//   size_t size() const; bool writable() const; bool owner() const;
//   Span<const char> bytes() const; Span<char> mutable_bytes();
//   void Disown(); Status Remove(); Status Close();
//
// plus: move-only.

#ifndef IPCBOX_SHM_SHARED_MEMORY_CONTRACT_H_
#define IPCBOX_SHM_SHARED_MEMORY_CONTRACT_H_

#include <cstddef>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/core/contract.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox {
namespace shared_memory_contract_internal {

template <typename T, typename Id>
using Open = decltype(T::Open(std::declval<const Id&>(), size_t{},
                              std::declval<const SharedMemoryOptions&>()));
template <typename T, typename Id>
using OpenDefault = decltype(T::Open(std::declval<const Id&>(), size_t{}));
template <typename T, typename Id>
using Create = decltype(T::Create(std::declval<const Id&>(), size_t{},
                                  std::declval<Permissions>()));
template <typename T, typename Id>
using CreateDefault = decltype(T::Create(std::declval<const Id&>(), size_t{}));
template <typename T, typename Id>
using OpenExisting = decltype(T::OpenExisting(std::declval<const Id&>(),
                                              size_t{}, MemoryAccess{}));
template <typename T, typename Id>
using OpenExistingDefault =
    decltype(T::OpenExisting(std::declval<const Id&>(), size_t{}));
template <typename T, typename Id>
using RemoveName = decltype(T::Remove(std::declval<const Id&>()));
template <typename T>
using Size = decltype(std::declval<const T&>().size());
template <typename T>
using Writable = decltype(std::declval<const T&>().writable());
template <typename T>
using Owner = decltype(std::declval<const T&>().owner());
template <typename T>
using Bytes = decltype(std::declval<const T&>().bytes());
template <typename T>
using MutableBytes = decltype(std::declval<T&>().mutable_bytes());
template <typename T>
using Disown = decltype(std::declval<T&>().Disown());
template <typename T>
using Remove = decltype(std::declval<T&>().Remove());
template <typename T>
using Close = decltype(std::declval<T&>().Close());

// Every factory, for one identifier type.
template <typename T, typename Id>
constexpr bool FactoriesFor() {
  using contract::kReturns;
  using Result = absl::StatusOr<T>;
  static_assert(kReturns<Result, Open, T, Id>,
                "SharedMemory: static StatusOr<T> Open(id, size_t, const "
                "SharedMemoryOptions&)");
  static_assert(kReturns<Result, OpenDefault, T, Id>,
                "SharedMemory: Open(id, size_t) with default options");
  static_assert(kReturns<Result, Create, T, Id>,
                "SharedMemory: static StatusOr<T> Create(id, size_t, "
                "Permissions)");
  static_assert(kReturns<Result, CreateDefault, T, Id>,
                "SharedMemory: Create(id, size_t)");
  static_assert(kReturns<Result, OpenExisting, T, Id>,
                "SharedMemory: static StatusOr<T> OpenExisting(id, size_t, "
                "MemoryAccess)");
  static_assert(kReturns<Result, OpenExistingDefault, T, Id>,
                "SharedMemory: OpenExisting(id, size_t)");
  static_assert(kReturns<absl::Status, RemoveName, T, Id>,
                "SharedMemory: static absl::Status Remove(id)");
  return true;
}

}  // namespace shared_memory_contract_internal

// True if `T` keeps the contract above; each part that it breaks fails a
// static_assert naming it.
template <typename T>
constexpr bool SharedMemoryContract() {
  namespace c = shared_memory_contract_internal;
  using contract::kReturns;
  static_assert(c::FactoriesFor<T, PosixName>());
  static_assert(c::FactoriesFor<T, typename T::Id>());
  static_assert(kReturns<size_t, c::Size, T>,
                "SharedMemory: size_t size() const");
  static_assert(kReturns<bool, c::Writable, T>,
                "SharedMemory: bool writable() const");
  static_assert(kReturns<bool, c::Owner, T>,
                "SharedMemory: bool owner() const");
  static_assert(kReturns<absl::Span<const char>, c::Bytes, T>,
                "SharedMemory: absl::Span<const char> bytes() const");
  static_assert(kReturns<absl::Span<char>, c::MutableBytes, T>,
                "SharedMemory: absl::Span<char> mutable_bytes()");
  static_assert(kReturns<void, c::Disown, T>, "SharedMemory: void Disown()");
  static_assert(kReturns<absl::Status, c::Remove, T>,
                "SharedMemory: absl::Status Remove()");
  static_assert(kReturns<absl::Status, c::Close, T>,
                "SharedMemory: absl::Status Close()");
  static_assert(contract::kIsMoveOnlyResource<T>,
                "SharedMemory: movable (noexcept), not copyable");
  return true;
}

}  // namespace ipcbox

#endif  // IPCBOX_SHM_SHARED_MEMORY_CONTRACT_H_
