// contract.h
//
// Tools to state a concept's contract at compile time. ipcbox's generic
// types (`FileLock`, `SharedMemory`, `Semaphore`, `MessageQueue`) are
// aliases for one backend that the build picks; each package states in
// `<concept>_contract.h` which calls every backend must accept and what they
// return, so a backend that drifts fails to build, whichever is selected.
//
// Example:
//
//   template <typename T>
//   using LockCall = decltype(std::declval<T&>().Lock(LockType::kShared));
//
//   static_assert(contract::kReturns<absl::Status, LockCall, OfdLock>,
//                 "Lock(LockType) must return absl::Status");
//
// `kReturns` is false (not a compile error) when the call does not compile,
// so the static_assert's message says which call is missing.

#ifndef IPCBOX_CORE_CONTRACT_H_
#define IPCBOX_CORE_CONTRACT_H_

#include <type_traits>

namespace ipcbox::contract {

// What `Call<Args...>` is when the expression does not compile.
struct Missing {};

namespace contract_internal {

template <typename Void, template <typename...> class Call, typename... Args>
struct Detect {
  using type = Missing;
};

template <template <typename...> class Call, typename... Args>
struct Detect<std::void_t<Call<Args...>>, Call, Args...> {
  using type = Call<Args...>;
};

}  // namespace contract_internal

// The type of the expression `Call<Args...>` stands for, or `Missing`.
template <template <typename...> class Call, typename... Args>
using ResultOf = typename contract_internal::Detect<void, Call, Args...>::type;

// Whether `Call<Args...>` compiles and has exactly the type `R` (a call
// returning a different type, even a convertible one, is a drift).
template <typename R, template <typename...> class Call, typename... Args>
inline constexpr bool kReturns = std::is_same_v<ResultOf<Call, Args...>, R>;

// What every ipcbox resource is: movable without throwing, never copied.
template <typename T>
inline constexpr bool kIsMoveOnlyResource =
    std::is_nothrow_move_constructible_v<T>&&
        std::is_nothrow_move_assignable_v<T> &&
    !std::is_copy_constructible_v<T> && !std::is_copy_assignable_v<T>;

}  // namespace ipcbox::contract

#endif  // IPCBOX_CORE_CONTRACT_H_
