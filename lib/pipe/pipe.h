// pipe.h
//
// An unnamed pipe: a one-way byte stream between related processes (or
// threads), inherited across fork(). `CreatePipe()` returns its ends as two
// move-only objects, a `PipeReader` and a `PipeWriter`, so each process keeps
// the end it uses and closes the other: a reader sees end-of-stream only once
// every copy of the write end is closed, a writer gets EPIPE only once every
// copy of the read end is. Both ends are O_CLOEXEC; keep one across exec with
// e.g. `reader.DuplicateOnto(STDIN_FILENO)` between fork and exec.
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
