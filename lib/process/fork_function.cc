#include "ipcbox/process/fork_function.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/child_reaper.h"
#include "ipcbox/process/internal/pidfd.h"
#include "ipcbox/process/internal/stdio_plan.h"

namespace ipcbox {
namespace {

using process_internal::StdioPlan;

// Exit code of a child that could not set itself up; the parent never
// returns it as a status (it reads the errno instead).
constexpr int kSetupFailedExit = 127;
// Exit code when an exception escapes the function (builds with exceptions).
constexpr int kUncaughtExceptionExit = 70;  // EX_SOFTWARE

int RunCatching(absl::FunctionRef<int()> fn) {
#if defined(__cpp_exceptions)
  // Unwinding into the copy of the caller's stack would run the parent's
  // code in the child.
  try {
    return fn();
  } catch (...) {
    static constexpr char kMessage[] =
        "ipcbox ForkFunction: uncaught exception in the child\n";
    (void)!::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    return kUncaughtExceptionExit;
  }
#else
  return fn();
#endif
}

// The child's side. Async-signal-safe until fn() runs.
[[noreturn]] void RunChild(absl::FunctionRef<int()> fn,
                           const ForkOptions& options, const StdioPlan& plan,
                           int report_fd, pid_t parent) {
  process_internal::ForgetReaperTableAfterFork();
  int err = 0;
  if (options.new_process_group && ::setpgid(0, 0) != 0) err = errno;
  if (err == 0 && options.die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) err = errno;
    if (::getppid() != parent) _exit(kSetupFailedExit);  // already orphaned
  }
  // The report pipe must survive the dup2()s onto 0, 1 and 2.
  if (err == 0 && report_fd < 3) {
    report_fd = ::fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
    if (report_fd < 0) _exit(kSetupFailedExit);
  }
  if (err == 0) err = process_internal::ApplyInForkedChild(plan);
  if (err != 0) {
    (void)!::write(report_fd, &err, sizeof(err));
    _exit(kSetupFailedExit);
  }
  ::close(report_fd);
  const int code = RunCatching(fn);
  if (options.flush_stdio_on_exit) std::fflush(nullptr);
  _exit(code & 0xff);
}

// 0 if the child set itself up, else the errno it reported.
int ReadSetupReport(PipeReader& report) {
  int err = 0;
  size_t got = 0;
  absl::Status s = report.ReadFull(
      absl::MakeSpan(reinterpret_cast<char*>(&err), sizeof(err)),
      Deadline::Infinite(), &got);
  return got == sizeof(err) ? err : 0;  // end-of-file: set up, fn running
}

}  // namespace

absl::StatusOr<Child> ForkFunction(absl::FunctionRef<int()> fn,
                                   const ForkOptions& options) {
  absl::StatusOr<StdioPlan> plan = process_internal::PrepareStdio(options.stdio);
  if (!plan.ok()) return plan.status();
  absl::StatusOr<Pipe> report = CreatePipe();
  if (!report.ok()) return report.status();

  std::fflush(nullptr);  // or buffered output is printed by both processes
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork", "");
  if (pid == 0) {
    ::close(report->reader.fd().get());
    RunChild(fn, options, *plan, report->writer.fd().get(), parent);
  }

  // Set the group here too, so it holds whichever process runs first; EACCES
  // (the child already exec'd) and ESRCH (already gone) are harmless.
  if (options.new_process_group) (void)::setpgid(pid, pid);
  (void)report->writer.Close();
  const int setup_error = ReadSetupReport(report->reader);
  if (setup_error != 0) {
    RetryOnEintr([&] { return ::waitpid(pid, nullptr, 0); });
    return ErrnoError(setup_error, "ForkFunction: setting up the child",
                      absl::StrCat("pid ", pid));
  }
  process_internal::ChildParts parts;
  parts.pid = pid;
  parts.pidfd = process_internal::OpenPidFd(pid);
  parts.process_group = options.new_process_group ? pid : 0;
  parts.stdin_writer = std::move(plan->stdin_writer);
  parts.stdout_reader = std::move(plan->stdout_reader);
  parts.stderr_reader = std::move(plan->stderr_reader);
  return Child(std::move(parts));
}

}  // namespace ipcbox
