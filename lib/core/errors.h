// errors.h
//
// How ipcbox reports failures: `absl::Status` / `absl::StatusOr<T>`, whose
// message names the call and the object, so a log line alone tells what
// failed on what (`shm_open("/ipcbox.42.9f3c..."): Permission denied`).
// "Would block" and "deadline passed" are ordinary results of hot calls, not
// failures: code-only statuses without a message, which never allocate (hot
// paths must not; lib/core's README.md). Test them with `IsWouldBlock()` /
// `IsTimedOut()`, never by comparing codes alone.
//
// Example:
//
//   ssize_t n = RetryOnEintr([&] { return ::read(fd, buf, len); });
//   if (n < 0) {
//     const int err = errno;  // capture before anything else can change it
//     if (err == EAGAIN) return WouldBlockError();
//     return ErrnoError(err, "read", path);
//   }

#ifndef IPCBOX_CORE_ERRORS_H_
#define IPCBOX_CORE_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

// Returns the status for system call `call` failing with `errnum` on
// `object`. The message reads `call("object"): <strerror text>`; the object
// is quoted and escaped (it may be a name chosen by a peer) and may be empty
// (`pipe2(): ...`). Allocates: use it on set-up and error paths only.
//
// Pass a copy of errno taken right after the failing call: arguments are
// evaluated in unspecified order, so `ErrnoError(errno, "open",
// path.string())` may read an errno already changed by `string()`.
//
// `errnum == 0` is a caller bug (errno was read too late or not set); rather
// than letting it turn into an OK status on an error path, it yields
// `absl::StatusCode::kUnknown`.
absl::Status ErrnoError(int errnum, absl::string_view call,
                        absl::string_view object);

// As above for a call made on a bare descriptor: `read(fd 7): ...`.
absl::Status ErrnoError(int errnum, absl::string_view call, int fd);

// "The operation would have blocked": code `kUnavailable`, empty message, no
// allocation. Returned by the non-blocking variants of hot calls.
inline absl::Status WouldBlockError() {
  return absl::Status(absl::StatusCode::kUnavailable, "");
}

// "The deadline passed first": code `kDeadlineExceeded`, empty message, no
// allocation. Returned by the timed variants of hot calls.
inline absl::Status TimedOutError() {
  return absl::Status(absl::StatusCode::kDeadlineExceeded, "");
}

// The empty message is part of the test. `ErrnoToStatus()` maps EBUSY,
// ECONNREFUSED, ... to `kUnavailable` and ETIMEDOUT to `kDeadlineExceeded`
// too; those come with a message and are real errors, so they must not be
// mistaken for the expected outcomes above.
inline bool IsWouldBlock(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         status.message().empty();
}

inline bool IsTimedOut(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDeadlineExceeded &&
         status.message().empty();
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_ERRORS_H_
