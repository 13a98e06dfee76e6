// child_stdio.h
//
// `Stdio` says what one of a child's standard descriptors (stdin, stdout,
// stderr) is connected to: the parent's own (inherited), /dev/null, a new
// pipe whose other end the parent keeps, or a descriptor the caller
// supplies. `ChildStdio` holds the choice for all three.
//
// Example (capture stdout, discard stderr, keep stdin):
//
//   Command sort({"sort"});
//   sort.SetStdout(Stdio::Pipe()).SetStderr(Stdio::Null());
//
// A `Pipe()` end appears on the `Child` as `stdin_writer()`,
// `stdout_reader()` or `stderr_reader()`. A descriptor given with `Fd()` is
// borrowed: the child gets its own copy, the caller keeps the original.

#ifndef IPCBOX_PROCESS_CHILD_STDIO_H_
#define IPCBOX_PROCESS_CHILD_STDIO_H_

namespace ipcbox {

class Stdio {
 public:
  enum class Kind {
    kInherit,       // the parent's descriptor, shared
    kNull,          // /dev/null: reads see end-of-file, writes vanish
    kPipe,          // a pipe to the parent
    kFd,            // a copy of a caller's descriptor
    kSameAsStdout,  // stderr only: wherever stdout goes (2>&1)
  };

  static Stdio Inherit() { return Stdio(Kind::kInherit, -1); }
  static Stdio Null() { return Stdio(Kind::kNull, -1); }
  static Stdio Pipe() { return Stdio(Kind::kPipe, -1); }
  // `fd` must stay open until the child has been started.
  static Stdio Fd(int fd) { return Stdio(Kind::kFd, fd); }
  // For stderr: `2>&1`. Refused for stdin and stdout.
  static Stdio SameAsStdout() { return Stdio(Kind::kSameAsStdout, -1); }

  Stdio() = default;  // inherit

  Kind kind() const { return kind_; }
  // The caller's descriptor for `kFd`, else -1.
  int fd() const { return fd_; }

 private:
  Stdio(Kind kind, int fd) : kind_(kind), fd_(fd) {}

  Kind kind_ = Kind::kInherit;
  int fd_ = -1;
};

// The three standard descriptors of a child. (Not named stdin/stdout/stderr:
// those are macros in <stdio.h>.)
struct ChildStdio {
  Stdio in;
  Stdio out;
  Stdio err;
};

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_CHILD_STDIO_H_
