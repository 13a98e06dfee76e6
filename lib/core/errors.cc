#include "ipcbox/core/errors.h"

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {

absl::StatusCode ErrnoCode(int errnum) {
  if (errnum == 0) return absl::StatusCode::kUnknown;
  // The outcome codes are kept for the outcomes: an errno that absl maps to
  // one of them is a failure here and moves to the code that fits it.
  switch (errnum) {
    case EAGAIN:  // fork, clone, sigqueue: a limit was hit
    case ENOLCK:  // the kernel's lock table is full
    case EFBIG:   // RLIMIT_FSIZE or the file system's maximum
      return absl::StatusCode::kResourceExhausted;
    case EINTR:      // only when the caller asked to be interrupted
    case ETIMEDOUT:  // the kernel gave up on a peer (TCP), not our deadline
    case ETIME:
    case ECONNRESET:
    case ECONNABORTED:
    case ENETRESET:
    case ECOMM:
      return absl::StatusCode::kAborted;
    case ECONNREFUSED:  // nobody listens there now
    case EHOSTDOWN:
    case EHOSTUNREACH:
    case ENETDOWN:
    case ENETUNREACH:
    case ENONET:
    case ENOLINK:
    case EOVERFLOW:  // a value at its maximum (sem_post) or too large to hold
      return absl::StatusCode::kFailedPrecondition;
    case ERANGE:  // an argument beyond what the call accepts (semctl SETVAL)
    case ECHRNG:
      return absl::StatusCode::kInvalidArgument;
    default:
      break;
  }
  const absl::StatusCode code = absl::ErrnoToStatusCode(errnum);
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kOutOfRange:
      // An errno not in the table above (a newer absl); never an outcome.
      return absl::StatusCode::kUnknown;
    default:
      return code;
  }
}

absl::Status ErrnoErrorWithMessage(int errnum, absl::string_view what) {
  if (errnum == 0) {
    return absl::UnknownError(
        absl::StrCat(what, ": failed but errno was 0 (no error recorded)"));
  }
  // ErrnoToStatus appends ": <strerror text>" (thread-safe strerror).
  const absl::Status described = absl::ErrnoToStatus(errnum, what);
  return absl::Status(ErrnoCode(errnum), described.message());
}

absl::Status ErrnoError(int errnum, absl::string_view call,
                        absl::string_view object) {
  if (object.empty()) {
    return ErrnoErrorWithMessage(errnum, absl::StrCat(call, "()"));
  }
  return ErrnoErrorWithMessage(
      errnum, absl::StrCat(call, "(", QuoteForMessage(object), ")"));
}

absl::Status ErrnoError(int errnum, absl::string_view call, int fd) {
  return ErrnoErrorWithMessage(errnum, absl::StrCat(call, "(fd ", fd, ")"));
}

}  // namespace ipcbox
