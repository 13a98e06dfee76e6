// file_lock_contract.h
//
// What every file lock backend (`FcntlLock`, `OfdLock`, `FlockLock`) offers,
// so that code written against the generic `FileLock` (file_lock.h) builds
// whichever backend --//platforms:lock_backend picks. `FileLockContract<T>()`
// checks it at compile time; //lib/file_lock:contract_check runs it on every
// backend, so a backend that drifts fails the build.
//
//   static_assert(FileLockContract<OfdLock>());
//
// The contract (`Id` is absl::string_view, `Options` is LockFileOptions):
//
//   static StatusOr<T> Open(Id path, const Options& = {});  //
//   options.open_mode static StatusOr<T> Create(Id path, const Options& = {});
//   // exclusive static StatusOr<T> OpenExisting(Id path, const Options& = {});
//   static StatusOr<T> Adopt(Fd fd);
//   Status Lock(LockType), TryLock(LockType), Unlock(),
//          LockFor(LockType, absl::Duration), LockUntil(LockType, Deadline);
//   int fd() const; bool valid() const; bool created() const;
//   Fd Release();  Status Close();
//
// plus: default-constructible (not open), move-only.

#ifndef IPCBOX_FILE_LOCK_FILE_LOCK_CONTRACT_H_
#define IPCBOX_FILE_LOCK_FILE_LOCK_CONTRACT_H_

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/contract.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/file_lock/lock_file_options.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox {
namespace file_lock_contract_internal {

template <typename T>
using Open = decltype(T::Open(std::declval<absl::string_view>(),
                              std::declval<const LockFileOptions&>()));
template <typename T>
using OpenDefault = decltype(T::Open(std::declval<absl::string_view>()));
template <typename T>
using Create = decltype(T::Create(std::declval<absl::string_view>(),
                                  std::declval<const LockFileOptions&>()));
template <typename T>
using OpenExisting = decltype(T::OpenExisting(
    std::declval<absl::string_view>(), std::declval<const LockFileOptions&>()));
template <typename T>
using Adopt = decltype(T::Adopt(std::declval<Fd>()));
template <typename T>
using Lock = decltype(std::declval<T&>().Lock(LockType::kShared));
template <typename T>
using TryLock = decltype(std::declval<T&>().TryLock(LockType::kShared));
template <typename T>
using LockFor = decltype(std::declval<T&>().LockFor(
    LockType::kShared, std::declval<absl::Duration>()));
template <typename T>
using LockUntil = decltype(std::declval<T&>().LockUntil(
    LockType::kShared, std::declval<Deadline>()));
template <typename T>
using Unlock = decltype(std::declval<T&>().Unlock());
template <typename T>
using FdOf = decltype(std::declval<const T&>().fd());
template <typename T>
using Valid = decltype(std::declval<const T&>().valid());
template <typename T>
using Created = decltype(std::declval<const T&>().created());
template <typename T>
using Release = decltype(std::declval<T&>().Release());
template <typename T>
using Close = decltype(std::declval<T&>().Close());
template <typename T>
using OptionsOpenMode =
    decltype(std::declval<typename T::Options&>().open_mode);

}  // namespace file_lock_contract_internal

// True if `T` keeps the contract above; each part that it breaks fails a
// static_assert naming it.
template <typename T>
constexpr bool FileLockContract() {
  namespace c = file_lock_contract_internal;
  using contract::kReturns;
  using Result = absl::StatusOr<T>;
  static_assert(std::is_same_v<typename T::Id, absl::string_view>,
                "FileLock: Id must be absl::string_view (a path)");
  static_assert(std::is_same_v<typename T::Options, LockFileOptions>,
                "FileLock: Options must be LockFileOptions");
  static_assert(kReturns<OpenMode, c::OptionsOpenMode, T>,
                "FileLock: Options must have `OpenMode open_mode`");
  static_assert(kReturns<Result, c::Open, T>,
                "FileLock: static StatusOr<T> Open(path, const Options&)");
  static_assert(kReturns<Result, c::OpenDefault, T>,
                "FileLock: Open(path) with default options");
  static_assert(kReturns<Result, c::Create, T>,
                "FileLock: static StatusOr<T> Create(path, const Options&)");
  static_assert(kReturns<Result, c::OpenExisting, T>,
                "FileLock: static StatusOr<T> OpenExisting(path, const "
                "Options&)");
  static_assert(kReturns<Result, c::Adopt, T>,
                "FileLock: static StatusOr<T> Adopt(Fd)");
  static_assert(kReturns<absl::Status, c::Lock, T>,
                "FileLock: absl::Status Lock(LockType)");
  static_assert(kReturns<absl::Status, c::TryLock, T>,
                "FileLock: absl::Status TryLock(LockType)");
  static_assert(kReturns<absl::Status, c::LockFor, T>,
                "FileLock: absl::Status LockFor(LockType, absl::Duration)");
  static_assert(kReturns<absl::Status, c::LockUntil, T>,
                "FileLock: absl::Status LockUntil(LockType, Deadline)");
  static_assert(kReturns<absl::Status, c::Unlock, T>,
                "FileLock: absl::Status Unlock()");
  static_assert(kReturns<int, c::FdOf, T>, "FileLock: int fd() const");
  static_assert(kReturns<bool, c::Valid, T>, "FileLock: bool valid() const");
  static_assert(kReturns<bool, c::Created, T>,
                "FileLock: bool created() const");
  static_assert(kReturns<Fd, c::Release, T>, "FileLock: Fd Release()");
  static_assert(kReturns<absl::Status, c::Close, T>,
                "FileLock: absl::Status Close()");
  static_assert(std::is_default_constructible_v<T>,
                "FileLock: default-constructible (not open)");
  static_assert(contract::kIsMoveOnlyResource<T>,
                "FileLock: movable (noexcept), not copyable");
  return true;
}

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_FILE_LOCK_CONTRACT_H_
