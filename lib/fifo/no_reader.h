// no_reader.h
//
// How a FIFO open reports "no process has the FIFO open for reading". The
// kernel refuses a non-blocking write open of a FIFO without a reader
// (ENXIO) rather than letting the writer's first write fail with EPIPE.
// That is an expected outcome for a writer that only talks to a reader that
// is already listening (a status daemon publishing to an optional
// monitor), not an I/O error, so ipcbox gives it a status of its own that
// is easy to test for and hard to confuse with anything else:
//
//   absl::StatusOr<PipeWriter> writer = TryOpenFifoWriter(path);
//   if (IsNoReader(writer.status())) return absl::OkStatus();  // no listener
//   if (!writer.ok()) return writer.status();
//
// The status is kFailedPrecondition with a message naming the FIFO, marked
// with a payload (`kNoReaderPayloadUrl`) so that `IsNoReader()` needs neither
// the message text nor the code alone: EPIPE is kFailedPrecondition too.
// It allocates; it comes from an open, never from a read or write.

#ifndef IPCBOX_FIFO_NO_READER_H_
#define IPCBOX_FIFO_NO_READER_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

inline constexpr absl::string_view kNoReaderPayloadUrl =
    "type.ipcbox.dev/ipcbox.fifo.NoReader";

// kFailedPrecondition: "open(\"<path>\", O_WRONLY | O_NONBLOCK): no process
// has the FIFO open for reading (ENXIO)", with the no-reader payload.
absl::Status NoReaderError(absl::string_view path);

// True only for a status made by `NoReaderError()`.
bool IsNoReader(const absl::Status& status);

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_NO_READER_H_
