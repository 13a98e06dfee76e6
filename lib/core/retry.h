// retry.h
//
// `RetryOnEintr()` repeats a system call that a signal handler interrupted.
// A blocking call returns -1 with errno == EINTR whenever a handler installed
// without SA_RESTART runs, and some calls (poll, sem_wait, ...) return EINTR
// even with SA_RESTART. ipcbox retries inside the library so that callers
// never see EINTR, except where a caller asked to be interrupted.
//
// Example:
//
//   ssize_t n = RetryOnEintr([&] { return ::read(fd, buf, len); });
//   if (n < 0) return ErrnoError(errno, "read", fd);
//
// Do not wrap close(): see `Fd::Close()`. Do not wrap a call that waits with
// a relative timeout (poll, semtimedop) directly: each retry would restart
// the full timeout. Recompute it from a `Deadline` on each attempt instead:
//
//   int r = RetryOnEintr([&] {
//     return ::poll(&pfd, 1, deadline.PollTimeoutMs());
//   });

#ifndef IPCBOX_CORE_RETRY_H_
#define IPCBOX_CORE_RETRY_H_

#include <cerrno>
#include <type_traits>

namespace ipcbox {

// Calls `f()` until it returns something other than -1 with errno == EINTR,
// and returns that result with errno as the last call left it. `f` must
// return a signed integer (int, ssize_t, long, ...). `f` is called as an
// lvalue, possibly several times, so it must be safe to repeat.
template <typename F>
auto RetryOnEintr(F&& f) {
  using Result = std::invoke_result_t<F&>;
  static_assert(std::is_integral_v<Result> && std::is_signed_v<Result>,
                "RetryOnEintr needs a callable returning a signed integer "
                "that is -1 on failure");
  Result result;
  do {
    result = f();
  } while (result == -1 && errno == EINTR);
  return result;
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_RETRY_H_
