#include "ipcbox/process/internal/stdio_plan.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child_stdio.h"

namespace ipcbox {
namespace process_internal {
namespace {

constexpr int kFirstFreeFd = 3;

// A close-on-exec copy of `fd` numbered 3 or above (the original is left
// alone).
absl::StatusOr<Fd> HighCopy(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstFreeFd);
  if (copy < 0) return ErrnoError(errno, "fcntl(F_DUPFD_CLOEXEC)", fd);
  return Fd(copy);
}

// `fd` itself if it is numbered 3 or above, else a high copy of it.
absl::StatusOr<Fd> Raised(Fd fd) {
  if (fd.get() >= kFirstFreeFd) return fd;
  return HighCopy(fd.get());  // `fd` closes on return
}

// A pipe whose two ends are numbered 3 or above.
absl::StatusOr<Pipe> CreateHighPipe() {
  absl::StatusOr<Pipe> pipe = CreatePipe();
  if (!pipe.ok()) return pipe.status();
  if (pipe->reader.fd().get() < kFirstFreeFd) {
    absl::StatusOr<Fd> fd = Raised(pipe->reader.Release());
    if (!fd.ok()) return fd.status();
    absl::StatusOr<PipeReader> reader = PipeReader::FromFd(*std::move(fd));
    if (!reader.ok()) return reader.status();
    pipe->reader = *std::move(reader);
  }
  if (pipe->writer.fd().get() < kFirstFreeFd) {
    absl::StatusOr<Fd> fd = Raised(pipe->writer.Release());
    if (!fd.ok()) return fd.status();
    absl::StatusOr<PipeWriter> writer = PipeWriter::FromFd(*std::move(fd));
    if (!writer.ok()) return writer.status();
    pipe->writer = *std::move(writer);
  }
  return pipe;
}

absl::StatusOr<Fd> OpenDevNull(int target) {
  const int flags = (target == STDIN_FILENO ? O_RDONLY : O_WRONLY) | O_CLOEXEC;
  const int fd = ::open("/dev/null", flags);
  if (fd < 0) return ErrnoError(errno, "open", "/dev/null");
  return Raised(Fd(fd));
}

class Planner {
 public:
  absl::Status Add(int target, const Stdio& stdio) {
    switch (stdio.kind()) {
      case Stdio::Kind::kInherit:
        return absl::OkStatus();
      case Stdio::Kind::kNull: {
        absl::StatusOr<Fd> null = OpenDevNull(target);
        if (!null.ok()) return null.status();
        return Keep(target, *std::move(null));
      }
      case Stdio::Kind::kFd: {
        if (stdio.fd() < 0 || ::fcntl(stdio.fd(), F_GETFD) < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("Stdio::Fd(", stdio.fd(), ") for descriptor ",
                           target, ": not an open descriptor"));
        }
        absl::StatusOr<Fd> copy = HighCopy(stdio.fd());
        if (!copy.ok()) return copy.status();
        return Keep(target, *std::move(copy));
      }
      case Stdio::Kind::kPipe:
        return AddPipe(target);
      case Stdio::Kind::kSameAsStdout:
        if (target != STDERR_FILENO) {
          return absl::InvalidArgumentError(
              "Stdio::SameAsStdout() is for stderr only");
        }
        plan_.stderr_same_as_stdout = true;
        return absl::OkStatus();
    }
    return absl::InternalError("unknown Stdio kind");
  }

  StdioPlan Finish() { return std::move(plan_); }

 private:
  absl::Status AddPipe(int target) {
    absl::StatusOr<Pipe> pipe = CreateHighPipe();
    if (!pipe.ok()) return pipe.status();
    if (target == STDIN_FILENO) {
      plan_.stdin_writer = std::move(pipe->writer);
      return Keep(target, pipe->reader.Release());
    }
    if (target == STDOUT_FILENO) {
      plan_.stdout_reader = std::move(pipe->reader);
    } else {
      plan_.stderr_reader = std::move(pipe->reader);
    }
    return Keep(target, pipe->writer.Release());
  }

  absl::Status Keep(int target, Fd fd) {
    plan_.source[target] = fd.get();
    plan_.child_side[kept_++] = std::move(fd);
    return absl::OkStatus();
  }

  StdioPlan plan_;
  size_t kept_ = 0;
};

}  // namespace

absl::StatusOr<StdioPlan> PrepareStdio(const ChildStdio& stdio) {
  Planner planner;
  if (absl::Status s = planner.Add(STDIN_FILENO, stdio.in); !s.ok()) return s;
  if (absl::Status s = planner.Add(STDOUT_FILENO, stdio.out); !s.ok()) return s;
  if (absl::Status s = planner.Add(STDERR_FILENO, stdio.err); !s.ok()) return s;
  return planner.Finish();
}

int ApplyInForkedChild(const StdioPlan& plan) {
  for (int target = 0; target < 3; ++target) {
    if (plan.source[target] < 0) continue;
    if (RetryOnEintr([&] { return ::dup2(plan.source[target], target); }) < 0) {
      return errno;
    }
  }
  if (plan.stderr_same_as_stdout &&
      RetryOnEintr([] { return ::dup2(STDOUT_FILENO, STDERR_FILENO); }) < 0) {
    return errno;
  }
  for (const Fd& fd : plan.child_side) {
    if (fd.valid()) ::close(fd.get());
  }
  for (int fd : {plan.stdin_writer.fd().get(), plan.stdout_reader.fd().get(),
                 plan.stderr_reader.fd().get()}) {
    if (fd >= 0) ::close(fd);
  }
  return 0;
}

}  // namespace process_internal
}  // namespace ipcbox
