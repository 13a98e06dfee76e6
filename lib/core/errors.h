// errors.h
//
// How ipcbox reports failures: `absl::Status` / `absl::StatusOr<T>`, whose
// message names the call and the object, so a log line alone tells what
// failed on what (`shm_open("/ipcbox.42.9f3c..."): Permission denied`).
// "Would block" and "deadline passed" are ordinary results of hot calls, not
// failures. Each owns a status code that nothing else in ipcbox returns
// (`kUnavailable`, `kDeadlineExceeded`; end of stream owns `kOutOfRange`), so
// `IsWouldBlock()` / `IsTimedOut()` test the code alone and a layer that
// adds context to the message keeps the meaning. lib/core's README.md lists
// the errno values that are moved off those codes.
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

// `call("object"): <strerror text>` for system call `call` failing with
// `errnum` (taken right after the call, not read in the argument list) on
// `object` (quoted and escaped; may be empty). Never an outcome code: EAGAIN,
// ETIMEDOUT, ... get another (lib/core's README.md); `errnum == 0`, a caller
// bug, gives kUnknown. Allocates: set-up and error paths only.
absl::Status ErrnoError(int errnum, absl::string_view call,
                        absl::string_view object);

// As above for a call made on a bare descriptor: `read(fd 7): ...`.
absl::Status ErrnoError(int errnum, absl::string_view call, int fd);

// As above with a message of the caller's making: `<what>: <strerror text>`.
absl::Status ErrnoErrorWithMessage(int errnum, absl::string_view what);

// The code `ErrnoError()` gives `errnum`.
absl::StatusCode ErrnoCode(int errnum);

// "The operation would have blocked": code `kUnavailable`, no message, no
// allocation. Returned by the non-blocking variants of hot calls.
inline absl::Status WouldBlockError() {
  return absl::Status(absl::StatusCode::kUnavailable, "");
}

// The same outcome with a message for a person ("not yet initialised by its
// creator"). Allocates: for set-up calls that a caller retries later.
inline absl::Status WouldBlockError(absl::string_view message) {
  return absl::Status(absl::StatusCode::kUnavailable, message);
}

// "The deadline passed first": code `kDeadlineExceeded`, no message, no
// allocation. Returned by the timed variants of hot calls.
inline absl::Status TimedOutError() {
  return absl::Status(absl::StatusCode::kDeadlineExceeded, "");
}

// The same outcome with a message saying what did not happen in time.
// Allocates: for where a wait is abandoned (see also timeout_error.h).
inline absl::Status TimedOutError(absl::string_view message) {
  return absl::Status(absl::StatusCode::kDeadlineExceeded, message);
}

// True for the outcome, with or without a message added by any layer.
inline bool IsWouldBlock(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable;
}

inline bool IsTimedOut(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_ERRORS_H_
