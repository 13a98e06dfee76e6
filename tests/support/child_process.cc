#include "tests/support/child_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/time_scale.h"

namespace ipcbox::testing {
namespace {

// After SIGKILL a child is gone within microseconds unless it sits in an
// uninterruptible kernel sleep; this bounds even that.
constexpr absl::Duration kReapAfterKill = absl::Seconds(30);
// Polling waitpid starts fast (children that exit at once are common) and
// backs off, so a long wait costs a few hundred wake-ups a second at most.
constexpr absl::Duration kFirstPoll = absl::Microseconds(50);
constexpr absl::Duration kMaxPoll = absl::Milliseconds(5);

absl::Duration MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::DurationFromTimespec(ts);
}

// Both C stdio and iostreams: a buffer left unflushed before fork() is
// printed twice, once by each process.
void FlushStdio() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  fflush(nullptr);
}

// Failed assertions recorded so far in the running test (or, outside a test,
// whether anything failed), so that the child can tell its own failures from
// ones it inherited.
int FailuresSoFar() {
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return ::testing::Test::HasFailure() ? 1 : 0;
  const ::testing::TestResult& result = *info->result();
  int failures = 0;
  for (int i = 0; i < result.total_part_count(); ++i) {
    if (result.GetTestPartResult(i).failed()) ++failures;
  }
  return failures;
}

int RunCatching(absl::FunctionRef<int()> fn) {
#if defined(__cpp_exceptions)
  // An exception must not unwind into the copy of the test runner.
  try {
    return fn();
  } catch (const std::exception& e) {
    fprintf(stderr, "child %d: uncaught exception: %s\n", getpid(), e.what());
  } catch (...) {
    fprintf(stderr, "child %d: uncaught exception\n", getpid());
  }
  return kChildThrew;
#else
  return fn();
#endif
}

[[noreturn]] void RunChild(pid_t parent, absl::FunctionRef<int()> fn) {
  // If the parent dies first (crash, Ctrl-C), nobody would reap or stop us.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kChildOrphaned);  // Died before prctl.
  const int failures_before = FailuresSoFar();
  int code = RunCatching(fn);
  if (code == 0 && FailuresSoFar() > failures_before) code = kChildTestFailed;
  FlushStdio();
  _exit(code);
}

ExitResult Decode(pid_t pid, int status) {
  ExitResult result;
  result.pid = pid;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.term_signal = WTERMSIG(status);
    result.core_dumped = WCOREDUMP(status);
  }
  return result;
}

const char* ExplainExitCode(int code) {
  switch (code) {
    case kChildTestFailed:
      return " (a GoogleTest assertion failed in the child)";
    case kChildThrew:
      return " (an exception escaped the child's function)";
    case kChildOrphaned:
      return " (the parent was gone before the child started)";
    default:
      return "";
  }
}

}  // namespace

std::string DescribeSignal(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  const char* description = sigdescr_np(signal);
  if (abbrev == nullptr || description == nullptr) {
    return absl::StrCat("signal ", signal);
  }
  return absl::StrCat("signal ", signal, " (SIG", abbrev, ": ", description,
                      ")");
}

std::string ExitResult::Describe() const {
  std::string text = absl::StrCat("child ", pid, " ");
  if (timed_out) {
    absl::StrAppend(&text, "timed out after ", absl::FormatDuration(waited),
                    " and was ");
  }
  if (wait_errno != 0) {
    absl::StrAppend(&text, "could not be waited for: waitpid: ",
                    strerror(wait_errno));
  } else if (exited) {
    absl::StrAppend(&text, "exited with code ", exit_code,
                    ExplainExitCode(exit_code));
  } else if (signaled) {
    absl::StrAppend(&text, "killed by ", DescribeSignal(term_signal),
                    core_dumped ? ", core dumped" : "");
  } else {
    absl::StrAppend(&text, "has not ended");
  }
  return text;
}

std::ostream& operator<<(std::ostream& os, const ExitResult& result) {
  return os << result.Describe();
}

::testing::AssertionResult ExitedWith(const ExitResult& result, int code) {
  if (result.exited_with(code)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << result.Describe() << "; expected it to exit with code " << code;
}

::testing::AssertionResult KilledBy(const ExitResult& result, int signal) {
  if (result.killed_by(signal) && !result.timed_out) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << result.Describe()
                                       << "; expected it to be killed by "
                                       << DescribeSignal(signal);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      result_(std::exchange(other.result_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    result_ = std::exchange(other.result_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { KillAndReap(); }

std::optional<ExitResult> ChildProcess::Poll() {
  if (result_.has_value() || pid_ <= 0) return result_;
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid_, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return std::nullopt;
  if (reaped < 0) {
    result_ = ExitResult();
    result_->pid = pid_;
    result_->wait_errno = errno;
  } else {
    result_ = Decode(pid_, status);
  }
  return result_;
}

ExitResult ChildProcess::Wait(absl::Duration timeout) {
  if (result_.has_value()) return *result_;
  timeout = Scaled(timeout);
  const absl::Duration start = MonotonicNow();
  absl::Duration pause = kFirstPoll;
  for (;;) {
    if (Poll().has_value()) {
      result_->waited = MonotonicNow() - start;
      return *result_;
    }
    const absl::Duration left = timeout - (MonotonicNow() - start);
    if (left <= absl::ZeroDuration()) break;
    absl::SleepFor(std::min(pause, left));
    pause = std::min(pause * 2, kMaxPoll);
  }
  KillAndReap();
  result_->timed_out = true;
  result_->waited = timeout;
  return *result_;
}

absl::Status ChildProcess::Kill(int signal) {
  if (pid_ <= 0 || result_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("kill(", pid_, "): the child has already been reaped"));
  }
  if (kill(pid_, signal) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("kill(", pid_, ", ",
                                                   DescribeSignal(signal), ")"));
  }
  return absl::OkStatus();
}

void ChildProcess::KillAndReap() {
  // pid_ <= 0 would make kill() signal a process group or every process.
  if (pid_ <= 0 || result_.has_value()) return;
  kill(pid_, SIGKILL);
  const absl::Duration give_up = MonotonicNow() + kReapAfterKill;
  while (!Poll().has_value() && MonotonicNow() < give_up) {
    absl::SleepFor(kFirstPoll);
  }
  if (!result_.has_value()) {  // Stuck in the kernel; report, do not hang.
    result_ = ExitResult();
    result_->pid = pid_;
    result_->wait_errno = ETIMEDOUT;
  }
}

namespace child_process_internal {

absl::StatusOr<ChildProcess> Fork(absl::FunctionRef<int()> fn) {
  FlushStdio();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork()");
  if (pid == 0) RunChild(parent, fn);
  return ChildProcess(pid);
}

}  // namespace child_process_internal
}  // namespace ipcbox::testing
