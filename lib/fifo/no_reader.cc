#include "ipcbox/fifo/no_reader.h"

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {

absl::Status NoReaderError(absl::string_view path) {
  absl::Status status = absl::FailedPreconditionError(
      absl::StrCat("open(", QuoteForMessage(path),
                   ", O_WRONLY | O_NONBLOCK): no process has the FIFO open "
                   "for reading (ENXIO)"));
  status.SetPayload(kNoReaderPayloadUrl, absl::Cord());
  return status;
}

bool IsNoReader(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         status.GetPayload(kNoReaderPayloadUrl).has_value();
}

}  // namespace ipcbox
