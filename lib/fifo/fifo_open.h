// fifo_open.h
//
// Opening the ends of a FIFO. What an open of a FIFO does depends on
// whether the other side is there, and the kernel's rules are easy to get
// wrong; these functions make each rule a separate, named call and give
// back lib/pipe's `PipeReader` and `PipeWriter`, so reading and writing a
// FIFO is exactly reading and writing a pipe (deadlines, end-of-stream,
// EPIPE without SIGPIPE, PIPE_BUF atomicity, no allocation).
//
// Example (a writer that waits up to 5 s for its reader):
//
//   absl::StatusOr<PipeWriter> writer =
//       OpenFifoWriter(path, Deadline::After(absl::Seconds(5)));
//   if (IsTimedOut(writer.status())) ...  // no reader came
//   if (!writer.ok()) return writer.status();
//   absl::Status s = writer->WriteAll(record);  // EPIPE once the reader quits
//
// The kernel's rules (Linux; POSIX agrees except for O_RDWR):
//
//   open                     | no peer yet                | peer present
//   -------------------------+----------------------------+-------------
//   O_RDONLY                 | waits for a writer         | returns
//   O_RDONLY | O_NONBLOCK    | returns                    | returns
//   O_WRONLY                 | waits for a reader         | returns
//   O_WRONLY | O_NONBLOCK    | fails, ENXIO               | returns
//   O_RDWR                   | returns (Linux only)       | returns
//
// and the ipcbox call for each:
//
//   OpenFifoReader(path)            O_RDONLY: waits as long as it takes.
//   OpenFifoReader(path, deadline)  waits at most until `deadline`; see
//                                   "Timed opens" for what it waits for.
//   TryOpenFifoReader(path)         O_RDONLY | O_NONBLOCK: never waits.
//   OpenFifoWriter(path)            O_WRONLY: waits as long as it takes.
//   OpenFifoWriter(path, deadline)  waits at most until `deadline` for a
//                                   reader; `TimedOutError()` if none came.
//   TryOpenFifoWriter(path)         O_WRONLY | O_NONBLOCK: never waits;
//                                   `IsNoReader()` if no reader is there.
//
// Every open checks the path first (see `Fifo::Create()`), refuses a
// symbolic link at the path (lstat, then O_NOFOLLOW), opens nothing that
// is not a FIFO (lstat before, fstat after), and sets O_CLOEXEC. How the
// returned end behaves afterwards is the separate `FifoEndMode`: the open's
// waiting and the end's blocking are independent choices.
//
// Reading before any writer came: a reader that did not wait for a writer
// (`TryOpenFifoReader()`) reads end-of-stream at once while no writer has
// the FIFO open, exactly as after the last writer left: read(2) returns 0
// in both cases. Poll it, or use `OpenFifoReader()` with a deadline, which
// tells the two apart (see below), before treating end-of-stream as final.
//
// Timed opens. A blocking open cannot be given a timeout, and interrupting
// it with a timer signal is not a library's business (it needs a handler).
// So:
//   - the reader opens with O_NONBLOCK, which succeeds at once, and then
//     poll()s. For a FIFO end opened while no writer had it, Linux reports
//     POLLHUP only once a writer has come and gone (it compares the
//     FIFO's writer generation with the one at open), so the poll sleeps
//     until a writer has written something (POLLIN) or has opened and
//     closed again (POLLHUP, which the first read reports as end-of-stream).
//     No busy polling. The difference from the blocking open: a writer that
//     opens and then stays silent until the deadline is not noticed, and
//     the open times out. Meanwhile, writers see a reader from the start.
//   - the writer retries O_WRONLY | O_NONBLOCK while it fails with ENXIO,
//     sleeping between attempts: 1 ms at first, doubling up to 16 ms, never
//     past the deadline. There is no event to wait for: poll() needs an open
//     descriptor, and inotify reports a reader's open only once it has
//     returned, which a blocking reader does only when a writer arrives.
//     Cost while waiting: about 60 opens a second; the reader is
//     noticed at most 16 ms late. A blocking reader is counted by the
//     kernel as soon as it starts waiting in open(), so this writer finds
//     it and releases it.
//   - not used: opening O_RDWR, which never waits on Linux, makes the
//     process its own reader. Its writes then never fail with EPIPE, data
//     written before a real reader comes sits in the FIFO (and is lost if
//     none does), and it says nothing about whether a reader is there,
//     which is what the timed open is for. (O_RDWR on the read side is the
//     right tool for a server that wants to outlive its clients without
//     seeing end-of-stream between them; open that with open(2) and hand
//     it to `PipeReader::FromFd()`.)
// An infinite deadline uses the plain blocking open: the kernel waits, and
// returns as soon as the peer opens. `Deadline::Expired()` makes one attempt
// and returns `TimedOutError()` if the peer is not there.
//
// Every function here allocates (the path is copied to add its NUL); an
// open is set-up, not a hot path. The reads and writes afterwards do not.

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
// described above. `TimedOutError()` if none came in time.
absl::StatusOr<PipeWriter> OpenFifoWriter(
    absl::string_view path, Deadline deadline = Deadline::Infinite(),
    FifoEndMode end_mode = FifoEndMode::kBlocking);

// Opens `path` for writing if a reader has it open, without waiting; the
// `NoReaderError()` status (test it with `IsNoReader()`) if none has.
absl::StatusOr<PipeWriter> TryOpenFifoWriter(
    absl::string_view path, FifoEndMode end_mode = FifoEndMode::kNonBlocking);

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_FIFO_OPEN_H_
