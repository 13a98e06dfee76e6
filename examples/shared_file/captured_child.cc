#include "examples/shared_file/captured_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"

namespace ipcbox::examples {
namespace {

[[noreturn]] void RunChild(absl::FunctionRef<int(std::FILE*)> fn,
                           Fd write_end) {
  std::FILE* captured = ::fdopen(write_end.release(), "w");
  const int code = captured != nullptr ? fn(captured) : 120;
  if (captured != nullptr) std::fclose(captured);
  std::fflush(nullptr);
  ::_exit(code);
}

// Reads `fd` to end-of-file by `deadline`.
absl::Status Drain(int fd, Deadline deadline, std::string* out) {
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, deadline.PollTimeoutMs());
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return ErrnoError(errno, "poll", fd);
    if (ready == 0) return absl::DeadlineExceededError("child still writing");
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "read", fd);
    if (n == 0) return absl::OkStatus();
    out->append(buf, static_cast<size_t>(n));
  }
}

// Reaps `pid` by `deadline`, killing it if it is still running then.
absl::StatusOr<int> Reap(pid_t pid, Deadline deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoError(errno, "waitpid", absl::StrCat(pid));
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return absl::InternalError(absl::StrCat(
          "child ", pid, " was killed by signal ", WTERMSIG(status)));
    }
    if (deadline.expired()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return absl::DeadlineExceededError(
          absl::StrCat("child ", pid, " did not finish in time; killed"));
    }
    ::usleep(1000);
  }
}

}  // namespace

absl::StatusOr<CapturedRun> RunInChild(absl::FunctionRef<int(std::FILE*)> fn,
                                       absl::Duration timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  std::fflush(nullptr);  // or the child flushes the parent's buffers again
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork", "");
  if (pid == 0) {
    read_end.reset();
    RunChild(fn, std::move(write_end));
  }
  write_end.reset();
  const Deadline deadline = Deadline::After(timeout);
  CapturedRun run;
  run.pid = pid;
  const absl::Status drained = Drain(read_end.get(), deadline, &run.output);
  absl::StatusOr<int> code =
      Reap(pid, drained.ok() ? deadline : Deadline::Expired());
  if (!drained.ok()) return drained;
  if (!code.ok()) return code.status();
  run.exit_code = *code;
  return run;
}

}  // namespace ipcbox::examples
