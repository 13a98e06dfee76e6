#include "examples/shm/child_with_output.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox::examples {

absl::StatusOr<ChildWithOutput> ChildWithOutput::Start(
    absl::FunctionRef<int(std::FILE*)> fn) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
  Fd reader(ends[0]);
  Fd writer(ends[1]);
  std::fflush(nullptr);  // Or buffered output is printed twice.
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork", "");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // No orphan if the parent dies.
    if (::getppid() != parent) ::_exit(127);
    reader.reset();
    std::FILE* stream = ::fdopen(writer.release(), "w");
    const int code = stream == nullptr ? 127 : fn(stream);
    std::fflush(nullptr);
    ::_exit(code);
  }
  return ChildWithOutput(pid, std::move(reader));
}

ChildWithOutput::ChildWithOutput(ChildWithOutput&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reader_(std::move(other.reader_)),
      output_(std::move(other.output_)) {}

ChildWithOutput::~ChildWithOutput() { KillAndReap(); }

absl::StatusOr<bool> ChildWithOutput::ReadSome(Deadline deadline) {
  struct pollfd pfd = {reader_.get(), POLLIN, 0};
  const int ready =
      RetryOnEintr([&] { return ::poll(&pfd, 1, deadline.PollTimeoutMs()); });
  if (ready < 0) return ErrnoError(errno, "poll", reader_.get());
  if (ready == 0) {
    return absl::DeadlineExceededError(absl::StrCat(
        "child ", pid_, " wrote nothing more in time; so far: \"",
        output_, "\""));
  }
  char buf[512];
  const ssize_t n =
      RetryOnEintr([&] { return ::read(reader_.get(), buf, sizeof(buf)); });
  if (n < 0) return ErrnoError(errno, "read", reader_.get());
  output_.append(buf, static_cast<size_t>(n));
  return n > 0;
}

absl::Status ChildWithOutput::ReadUntil(absl::string_view marker,
                                        Deadline deadline) {
  while (!absl::StrContains(output_, marker)) {
    absl::StatusOr<bool> more = ReadSome(deadline);
    if (!more.ok()) return more.status();
    if (!*more) {
      return absl::FailedPreconditionError(absl::StrCat(
          "child ", pid_, " closed its output without \"", marker,
          "\"; it wrote: \"", output_, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ChildWithOutput::Result> ChildWithOutput::Finish(
    Deadline deadline) {
  for (;;) {
    absl::StatusOr<bool> more = ReadSome(deadline);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  absl::Duration pause = absl::Microseconds(100);
  for (;;) {
    int status = 0;
    const pid_t reaped =
        RetryOnEintr([&] { return ::waitpid(pid_, &status, WNOHANG); });
    if (reaped < 0) return ErrnoError(errno, "waitpid", "");
    if (reaped == pid_) {
      pid_ = -1;
      if (!WIFEXITED(status)) {
        return absl::AbortedError(
            absl::StrCat("child killed by signal ", WTERMSIG(status)));
      }
      return Result{WEXITSTATUS(status), output_};
    }
    if (deadline.expired()) {
      KillAndReap();
      return absl::DeadlineExceededError("child did not exit in time");
    }
    absl::SleepFor(std::min(pause, deadline.Remaining()));
    pause = std::min(pause * 2, absl::Milliseconds(10));
  }
}

void ChildWithOutput::KillAndReap() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  RetryOnEintr([&] { return ::waitpid(pid_, &status, 0); });
  pid_ = -1;
}

}  // namespace ipcbox::examples
