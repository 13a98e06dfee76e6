#include "tests/support/child_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/fork_function.h"
#include "tests/support/time_scale.h"

namespace ipcbox::testing {
namespace {

// After SIGKILL a child is gone within microseconds unless it sits in an
// uninterruptible kernel sleep; this bounds even that.
constexpr absl::Duration kReapAfterKill = absl::Seconds(30);

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

// The child's side: the function, with the test's failures as its code.
int RunTestChild(absl::FunctionRef<int()> fn) {
  const int failures_before = FailuresSoFar();
  int code = RunCatching(fn);
  if (code == 0 && FailuresSoFar() > failures_before) code = kChildTestFailed;
  FlushStdio();
  return code;
}

ExitResult ResultOf(pid_t pid, const ExitStatus& status) {
  ExitResult result;
  result.pid = pid;
  result.exited = status.exited();
  result.exit_code = status.exit_code();
  result.signaled = status.signaled();
  result.term_signal = status.term_signal();
  result.core_dumped = status.core_dumped();
  return result;
}

const char* ExplainExitCode(int code) {
  switch (code) {
    case kChildTestFailed:
      return " (a GoogleTest assertion failed in the child)";
    case kChildThrew:
      return " (an exception escaped the child's function)";
    case kChildOrphaned:
      return " (the child could not be set up, or the parent was gone "
             "before it started)";
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
    absl::StrAppend(&text,
                    "could not be waited for: waitpid: ", strerror(wait_errno));
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
  return ::testing::AssertionFailure()
         << result.Describe() << "; expected it to be killed by "
         << DescribeSignal(signal);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : child_(std::move(other.child_)),
      pid_(std::exchange(other.pid_, -1)),
      result_(std::exchange(other.result_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    child_ = std::move(other.child_);
    pid_ = std::exchange(other.pid_, -1);
    result_ = std::exchange(other.result_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { KillAndReap(); }

std::optional<ExitResult> ChildProcess::Poll() {
  if (result_.has_value() || !child_.valid()) return result_;
  absl::StatusOr<ExitStatus> status = child_.TryWait();
  if (IsWouldBlock(status.status())) return std::nullopt;
  if (status.ok()) {
    result_ = ResultOf(pid_, *status);
  } else {
    result_ = ExitResult();
    result_->pid = pid_;
    result_->wait_errno = child_.reaped() ? ECHILD : EIO;
  }
  return result_;
}

ExitResult ChildProcess::Wait(absl::Duration timeout) {
  if (result_.has_value()) return *result_;
  if (!child_.valid()) return ExitResult();  // moved from
  timeout = Scaled(timeout);
  const absl::Time start = absl::Now();
  absl::StatusOr<ExitStatus> status = child_.WaitFor(timeout);
  if (IsTimedOut(status.status())) {
    KillAndReap();
    result_->timed_out = true;
    result_->waited = timeout;
    return *result_;
  }
  if (status.ok()) {
    result_ = ResultOf(pid_, *status);
  } else if (!Poll().has_value()) {  // the wait itself failed
    KillAndReap();
  }
  result_->waited = absl::Now() - start;
  return *result_;
}

absl::Status ChildProcess::Kill(int signal) {
  if (!child_.valid() || result_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("kill(", pid_, "): the child has already been reaped"));
  }
  return child_.Signal(signal);
}

void ChildProcess::KillAndReap() {
  if (!child_.valid() || result_.has_value()) return;
  (void)child_.Signal(SIGKILL);
  absl::StatusOr<ExitStatus> status = child_.WaitFor(kReapAfterKill);
  if (status.ok()) {
    result_ = ResultOf(pid_, *status);
    return;
  }
  // Stuck in the kernel (the Child hands it to the reaper); report, do not
  // hang.
  result_ = ExitResult();
  result_->pid = pid_;
  result_->wait_errno = IsTimedOut(status.status()) ? ETIMEDOUT : ECHILD;
}

namespace child_process_internal {

absl::StatusOr<ChildProcess> Fork(absl::FunctionRef<int()> fn) {
  FlushStdio();  // iostreams too: ForkFunction flushes C stdio only
  ForkOptions options;
  options.die_with_parent = true;  // a crashed test leaves no orphan
  absl::StatusOr<Child> child =
      ForkFunction([fn] { return RunTestChild(fn); }, options);
  if (!child.ok()) return child.status();
  return ChildProcess(*std::move(child));
}

}  // namespace child_process_internal
}  // namespace ipcbox::testing
