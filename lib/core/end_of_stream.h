// end_of_stream.h
//
// How a read reports that the stream has ended: every writer has closed its
// end and everything they wrote has been read. That is not a failure, and it
// must not look like one, nor like "no data yet": read(2) says it with a
// return of 0, which is easy to mistake for an empty read. ipcbox says it
// with a status of its own, so that a loop which stops on the first non-OK
// status stops there too, and the caller can tell why it stopped.
//
// Example:
//
//   for (;;) {
//     absl::StatusOr<size_t> n = reader.Read(absl::MakeSpan(buf));
//     if (IsEndOfStream(n.status())) break;  // the writer is done
//     if (!n.ok()) return n.status();        // a real error
//     Consume(absl::string_view(buf, *n));
//   }
//
// Like `WouldBlockError()` and `TimedOutError()`, the status has a code and
// no message, so returning it never allocates, and the code is its own:
// nothing else in ipcbox returns `kOutOfRange`.

#ifndef IPCBOX_CORE_END_OF_STREAM_H_
#define IPCBOX_CORE_END_OF_STREAM_H_

#include "absl/status/status.h"

namespace ipcbox {

// "The stream has ended": code `kOutOfRange`, empty message, no allocation.
inline absl::Status EndOfStreamError() {
  return absl::Status(absl::StatusCode::kOutOfRange, "");
}

// True for `EndOfStreamError()`, also after a layer added a message to it.
// A stream that ends part-way through a record in `ReadFull()` (pipes, FIFOs,
// sockets) is `kDataLoss`, not an end: the record is lost.
inline bool IsEndOfStream(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange;
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_END_OF_STREAM_H_
