#include "ipcbox/core/timeout_error.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"

namespace ipcbox {

absl::Status DescribeTimeout(absl::Status status, absl::string_view what,
                             absl::Duration waited) {
  // A timeout that already says what it was keeps its own words.
  if (!IsTimedOut(status) || !status.message().empty()) return status;
  return TimedOutError(
      absl::StrCat(what, " timed out after ", absl::FormatDuration(waited)));
}

}  // namespace ipcbox
