// fifo_open.h
//
// Opening the ends of a FIFO. Whether an open waits depends on whether the
// other side is there; these functions make each of the kernel's rules a
// separate, named call, and give back lib/pipe's `PipeReader` and
// `PipeWriter`, so reading and writing a FIFO is reading and writing a pipe
// (deadlines, end-of-stream, EPIPE without SIGPIPE, PIPE_BUF atomicity).
//
// Example (a writer that waits up to 5 s for its reader):
//
//   absl::StatusOr<PipeWriter> writer =
//       OpenFifoWriter(path, Deadline::After(absl::Seconds(5)));
//   if (IsTimedOut(writer.status())) ...  // no reader came
//   if (!writer.ok()) return writer.status();
//   absl::Status s = writer->WriteAll(record);  // EPIPE once the reader quits
//
// `Open...()` waits (without a deadline, as long as it takes), `TryOpen...()`
// never does; `TryOpenFifoWriter()` reports a missing reader as
// `IsNoReader()`. Every open refuses a symbolic link or a non-FIFO at the
// path and sets O_CLOEXEC; how the end blocks afterwards is the separate
// `FifoEndMode`. A reader that did not wait for a writer reads end-of-stream
// until one comes. Opens allocate (set-up, not a hot path); reads and writes
// do not. lib/fifo's README.md has the kernel's rules and how timed opens
// wait.

#ifndef IPCBOX_FIFO_FIFO_OPEN_H_
#define IPCBOX_FIFO_FIFO_OPEN_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/fifo/no_reader.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox {

// How the returned end reads and writes, once open.
enum class FifoEndMode {
  // Reads wait for data, writes wait for room (the seeds' behaviour).
  kBlocking,
  // O_NONBLOCK: `Read()` and `Write()` return `WouldBlockError()` instead of
  // waiting; the timed calls of lib/pipe work with either mode.
  kNonBlocking,
};

// Opens `path` for reading, waiting until `deadline` for a writer as
// described above. `TimedOutError()` if none came in time.
absl::StatusOr<PipeReader> OpenFifoReader(
    absl::string_view path, Deadline deadline = Deadline::Infinite(),
    FifoEndMode end_mode = FifoEndMode::kBlocking);

// Opens `path` for reading without waiting for a writer (O_NONBLOCK).
// Mind the note above on reading before a writer has come.
absl::StatusOr<PipeReader> TryOpenFifoReader(
    absl::string_view path, FifoEndMode end_mode = FifoEndMode::kNonBlocking);

// Opens `path` for writing, waiting until `deadline` for a reader as
// described above: a finite deadline retries with lib/core's back-off
// (lib/core's README.md, "Waiting with a deadline"). `TimedOutError()` if
// none came in time.
absl::StatusOr<PipeWriter> OpenFifoWriter(
    absl::string_view path, Deadline deadline = Deadline::Infinite(),
    FifoEndMode end_mode = FifoEndMode::kBlocking);

// Opens `path` for writing if a reader has it open, without waiting; the
// `NoReaderError()` status (test it with `IsNoReader()`) if none has.
absl::StatusOr<PipeWriter> TryOpenFifoWriter(
    absl::string_view path, FifoEndMode end_mode = FifoEndMode::kNonBlocking);

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_FIFO_OPEN_H_
