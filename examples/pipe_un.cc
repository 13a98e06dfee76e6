// pipe_un: the seed article's pipeUN program, on lib/pipe.
//
// The parent creates an unnamed pipe and forks. The child reads the pipe
// until end-of-stream and echoes what it reads to standard output; the
// parent writes a message into the pipe, closes its end (which is what
// ends the child's stream) and waits for the child.
//
//   $ pipe_un
//   Nature's first green is gold
//   $ pipe_un --message='Then leaf subsides to leaf.
//   '
//
// Differences from the C original: errors are reported, not ignored (a
// child that cannot echo makes the parent exit non-zero); the pipe's
// descriptors are close-on-exec; and a child whose stdout is a closed pipe
// (`pipe_un | true`) gets an error status instead of dying of SIGPIPE.

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/pipe.h"

ABSL_FLAG(std::string, message, "Nature's first green is gold\n",
          "the bytes the parent writes into the pipe");

namespace {

int Fail(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "pipe_un: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), status.ToString().c_str());
  return 1;
}

// The child: echo the pipe to standard output until the writer is done.
absl::Status Echo(ipcbox::PipeReader& pipe) {
  absl::StatusOr<ipcbox::PipeWriter> stdout_writer =
      ipcbox::PipeWriter::FromFd(ipcbox::Fd(STDOUT_FILENO));
  if (!stdout_writer.ok()) return stdout_writer.status();
  char buf[256];
  for (;;) {
    absl::StatusOr<size_t> n = pipe.Read(absl::MakeSpan(buf));
    if (ipcbox::IsEndOfStream(n.status())) return absl::OkStatus();
    if (!n.ok()) return n.status();
    absl::Status written = stdout_writer->WriteAll(absl::string_view(buf, *n));
    if (!written.ok()) return written;
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);

  absl::StatusOr<ipcbox::Pipe> pipe = ipcbox::CreatePipe();
  if (!pipe.ok()) return Fail("creating the pipe", pipe.status());

  const pid_t child = fork();
  if (child < 0) return Fail("fork", absl::ErrnoToStatus(errno, "fork"));

  if (child == 0) {
    (void)pipe->writer.Close();  // the child reads, doesn't write
    const absl::Status echoed = Echo(pipe->reader);
    _exit(echoed.ok() ? 0 : Fail("child", echoed));
  }

  (void)pipe->reader.Close();  // the parent writes, doesn't read
  const absl::Status written = pipe->writer.WriteAll(absl::GetFlag(FLAGS_message));
  (void)pipe->writer.Close();  // done writing: the child sees end-of-stream
  int status = 0;
  ipcbox::RetryOnEintr([&] { return waitpid(child, &status, 0); });
  if (!written.ok()) return Fail("writing to the child", written);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
