#include "ipcbox/process/child.h"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child_reaper.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/internal/pidfd.h"
#include "ipcbox/process/internal/wait_exit.h"
#include "ipcbox/signal/send_signal.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace {

// SIGKILL ends a process within microseconds unless it sits in an
// uninterruptible kernel sleep (a hung NFS server, a stuck driver).
constexpr absl::Duration kReapAfterKill = absl::Seconds(10);

}  // namespace

Child::Child(process_internal::ChildParts parts)
    : pid_(parts.pid),
      process_group_(parts.process_group),
      stdin_writer_(std::move(parts.stdin_writer)),
      stdout_reader_(std::move(parts.stdout_reader)),
      stderr_reader_(std::move(parts.stderr_reader)) {}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      pidfd_tried_(std::exchange(other.pidfd_tried_, false)),
      process_group_(std::exchange(other.process_group_, 0)),
      stdin_writer_(std::move(other.stdin_writer_)),
      stdout_reader_(std::move(other.stdout_reader_)),
      stderr_reader_(std::move(other.stderr_reader_)),
      status_(std::exchange(other.status_, std::nullopt)),
      lost_(std::exchange(other.lost_, false)),
      when_destroyed_(other.when_destroyed_) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    Reset();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    pidfd_tried_ = std::exchange(other.pidfd_tried_, false);
    process_group_ = std::exchange(other.process_group_, 0);
    stdin_writer_ = std::move(other.stdin_writer_);
    stdout_reader_ = std::move(other.stdout_reader_);
    stderr_reader_ = std::move(other.stderr_reader_);
    status_ = std::exchange(other.status_, std::nullopt);
    lost_ = std::exchange(other.lost_, false);
    when_destroyed_ = other.when_destroyed_;
  }
  return *this;
}

Child::~Child() { Reset(); }

void Child::ClosePipes() {
  (void)stdin_writer_.Close();
  (void)stdout_reader_.Close();
  (void)stderr_reader_.Close();
}

void Child::Reset() {
  ClosePipes();
  if (valid() && !reaped() && IsWouldBlock(TryWait().status())) {
    const bool handed_over =
        when_destroyed_ == WhenDestroyedRunning::kLeaveToReaper &&
        ChildReaper::Adopt(pid_).ok();
    if (!handed_over) KillAndReap();
  }
  Clear();
}

void Child::Clear() {
  pid_ = -1;
  pidfd_.reset();
  pidfd_tried_ = false;
  process_group_ = 0;
  status_.reset();
  lost_ = false;
}

void Child::KillAndReap() {
  (void)Signal(SIGKILL);
  if (!WaitFor(kReapAfterKill).ok() && !reaped()) {
    // Stuck in the kernel: the reaper collects it when it finally ends.
    (void)ChildReaper::Adopt(pid_);
  }
}

absl::Status Child::CheckValid(const char* operation) const {
  if (valid()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("Child::", operation,
                   ": holds no process (default-constructed, moved "
                   "from or detached)"));
}

absl::Status Child::CheckNotReaped(const char* operation) const {
  if (absl::Status s = CheckValid(operation); !s.ok()) return s;
  if (!reaped()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("Child::", operation, ": child ", pid_,
                   " has already been reaped; its "
                   "pid may belong to another process now"));
}

int Child::PidFd() {
  // Safe to open late: until we reap it, the pid cannot be reused.
  if (!pidfd_tried_ && valid() && !reaped()) {
    pidfd_tried_ = true;
    pidfd_ = process_internal::OpenPidFd(pid_);
  }
  return pidfd_.get();
}

absl::StatusOr<ExitStatus> Child::Record(absl::StatusOr<ExitStatus> result) {
  if (result.ok()) {
    status_ = *result;
    pidfd_.reset();
  } else if (absl::IsFailedPrecondition(result.status())) {
    lost_ = true;  // ECHILD: nothing left to wait for
    pidfd_.reset();
  }
  return result;
}

absl::StatusOr<ExitStatus> Child::Wait() {
  return WaitUntil(Deadline::Infinite());
}

absl::StatusOr<ExitStatus> Child::WaitFor(absl::Duration timeout) {
  return WaitUntil(Deadline::After(timeout));
}

absl::StatusOr<ExitStatus> Child::WaitUntil(Deadline deadline) {
  if (status_.has_value()) return *status_;
  if (absl::Status s = CheckNotReaped("Wait"); !s.ok()) return s;
  const int pidfd = deadline.is_infinite() ? -1 : PidFd();
  return Record(process_internal::WaitForExit(pid_, pidfd, deadline));
}

absl::StatusOr<ExitStatus> Child::TryWait() {
  if (status_.has_value()) return *status_;
  if (absl::Status s = CheckNotReaped("TryWait"); !s.ok()) return s;
  absl::StatusOr<ExitStatus> result = process_internal::ReapIfEnded(pid_);
  if (IsWouldBlock(result.status())) return result;
  return Record(std::move(result));
}

absl::Status Child::Signal(int signo) {
  if (absl::Status s = CheckNotReaped("Signal"); !s.ok()) return s;
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  if (const int pidfd = PidFd(); pidfd >= 0) {
    if (process_internal::SendSignalThroughPidFd(pidfd, signo) == 0) {
      return absl::OkStatus();
    }
    const int err = errno;
    if (err != ENOSYS) {
      return ErrnoError(err, "pidfd_send_signal",
                        absl::StrCat(SignalName(signo), " to pid ", pid_));
    }
  }
  return SendSignal(pid_, signo);
}

absl::Status Child::SignalGroup(int signo) {
  if (absl::Status s = CheckValid("SignalGroup"); !s.ok()) return s;
  if (process_group_ <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("Child::SignalGroup: child ", pid_,
                     " was not started as the leader "
                     "of a new process group"));
  }
  return SendSignalToGroup(process_group_, signo);
}

absl::Status Child::Detach() {
  if (absl::Status s = CheckValid("Detach"); !s.ok()) return s;
  if (!reaped() && IsWouldBlock(TryWait().status())) {
    if (absl::Status s = ChildReaper::Adopt(pid_); !s.ok()) return s;
  }
  ClosePipes();
  Clear();
  return absl::OkStatus();
}

}  // namespace ipcbox
