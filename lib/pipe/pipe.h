// pipe.h
//
// An unnamed pipe: a one-way byte stream between related processes (or
// threads), created here and inherited across fork(). `CreatePipe()` returns
// its two ends as separate move-only objects, a `PipeReader` and a
// `PipeWriter`, so that each process keeps the end it uses and closes the
// other. Closing matters: a reader sees end-of-stream only once every copy
// of the write end is closed, and a writer gets EPIPE only once every copy
// of the read end is.
//
// Example (the parent writes, a child reads):
//
//   absl::StatusOr<Pipe> pipe = CreatePipe();
//   if (!pipe.ok()) return pipe.status();
//   pid_t pid = fork();
//   if (pid == 0) {                  // child
//     pipe->writer = PipeWriter();   // closes the child's write end
//     char buf[256];
//     absl::StatusOr<size_t> n;
//     while ((n = pipe->reader.Read(absl::MakeSpan(buf))).ok()) ...
//     _exit(IsEndOfStream(n.status()) ? 0 : 1);
//   }
//   pipe->reader = PipeReader();     // parent: drop the read end
//   absl::Status s = pipe->writer.WriteAll("hello\n");
//   pipe->writer = PipeWriter();     // end-of-stream for the child
//
// Both descriptors are O_CLOEXEC: a child that exec()s loses them unless it
// asks to keep one, e.g. with `reader.DuplicateOnto(STDIN_FILENO)` between
// fork and exec. fork() itself keeps them, which is what the example needs.
//
// See pipe_reader.h and pipe_writer.h for reads, writes, deadlines,
// end-of-stream, EPIPE without SIGPIPE and PIPE_BUF atomicity.

#ifndef IPCBOX_PIPE_PIPE_H_
#define IPCBOX_PIPE_PIPE_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox {

struct PipeOptions {
  // O_NONBLOCK on the read end: `Read()` returns `WouldBlockError()` instead
  // of waiting for data.
  bool nonblocking_reader = false;
  // O_NONBLOCK on the write end: `Write()` writes what fits and returns
  // `WouldBlockError()` instead of waiting for room.
  bool nonblocking_writer = false;
  // Bytes the pipe holds before writers wait; 0 keeps the kernel default
  // (64 KiB). Rounded up by the kernel; see pipe_capacity.h for limits.
  size_t capacity = 0;
};

struct Pipe {
  PipeReader reader;
  PipeWriter writer;
};

// Creates a pipe (pipe2 with O_CLOEXEC) as set by `options`. Fails with the
// status of pipe2() (EMFILE, ENFILE) or of setting the capacity (EPERM above
// the unprivileged limit); nothing is left open on failure.
absl::StatusOr<Pipe> CreatePipe(const PipeOptions& options = PipeOptions());

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_PIPE_H_
