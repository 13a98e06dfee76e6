#include "ipcbox/core/errors.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {
namespace {

absl::Status FromErrno(int errnum, const std::string& what) {
  if (errnum == 0) {
    return absl::UnknownError(
        absl::StrCat(what, ": failed but errno was 0 (no error recorded)"));
  }
  // ErrnoToStatus appends ": <strerror text>" itself.
  return absl::ErrnoToStatus(errnum, what);
}

}  // namespace

absl::Status ErrnoError(int errnum, absl::string_view call,
                        absl::string_view object) {
  if (object.empty()) return FromErrno(errnum, absl::StrCat(call, "()"));
  return FromErrno(errnum,
                   absl::StrCat(call, "(", QuoteForMessage(object), ")"));
}

absl::Status ErrnoError(int errnum, absl::string_view call, int fd) {
  return FromErrno(errnum, absl::StrCat(call, "(fd ", fd, ")"));
}

}  // namespace ipcbox
