// timeout_error.h
//
// `DescribeTimeout()` turns the message-less "deadline passed" outcome of a
// timed call (see errors.h) into an error that says what timed out and after
// how long, for the caller that gives up on it and reports it to a person:
//
//   absl::StatusOr<PipeReader> reader =
//       OpenFifoReader(path, Deadline::After(options.open_timeout));
//   if (!reader.ok()) {
//     return DescribeTimeout(reader.status(),
//                            absl::StrCat("waiting for a writer on ", path),
//                            options.open_timeout);
//   }
//   // fifo_reader: waiting for a writer on "/tmp/fifo" timed out after 5s
//
// Any other status, OK or an error with its own message, is returned as it
// is. The result allocates: call it where a wait is abandoned, never inside
// a loop that retries after a timeout.

#ifndef IPCBOX_CORE_TIMEOUT_ERROR_H_
#define IPCBOX_CORE_TIMEOUT_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipcbox {

absl::Status DescribeTimeout(absl::Status status, absl::string_view what,
                             absl::Duration waited);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_TIMEOUT_ERROR_H_
