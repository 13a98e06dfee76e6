// child.h
//
// `Child` owns a child process: its pid, the parent's ends of any pipes to
// its stdin, stdout and stderr, and the duty to reap it. `Spawn()` (a
// program, spawn.h) and `ForkFunction()` (a function, fork_function.h) make
// one.
//
// Example:
//
//   absl::StatusOr<Child> child = Spawn(Command({"sleep", "10"}));
//   if (!child.ok()) return child.status();
//   absl::StatusOr<ExitStatus> status = child->WaitFor(absl::Seconds(1));
//   if (IsTimedOut(status.status())) {
//     absl::StatusOr<ShutdownReport> report = ShutDown(*child);  // shutdown.h
//   }
//
// A wait reaps the child and returns how it ended (again, at once, after
// that); a timed wait that runs out leaves it running. Read a piped stdout
// while waiting, or a chatty child blocks forever on a full pipe. No zombie
// is left: a `Child` destroyed while its process runs kills and reaps it, or
// hands it to the `ChildReaper` (`set_when_destroyed()`). Signals are refused
// once the child is reaped. lib/process's README.md says how waits sleep.
// Move-only; not thread-safe (one thread owns a Child at a time).

#ifndef IPCBOX_PROCESS_CHILD_H_
#define IPCBOX_PROCESS_CHILD_H_

#include <sys/types.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {

// What happens to a child still running when its `Child` is destroyed.
enum class WhenDestroyedRunning {
  // SIGKILL, then reap it (waiting up to 10 s for the kernel to finish it;
  // if even that runs out, it goes to the ChildReaper).
  kKillAndReap,
  // Leave it running; the ChildReaper reaps it when it ends.
  kLeaveToReaper,
};

namespace process_internal {
// What Spawn() and ForkFunction() hand to a new Child.
struct ChildParts {
  pid_t pid = -1;
  pid_t process_group = 0;  // its own group's id, if it leads one
  PipeWriter stdin_writer;
  PipeReader stdout_reader;
  PipeReader stderr_reader;
};
}  // namespace process_internal

class Child {
 public:
  // Holds no process.
  Child() = default;
  // For Spawn() and ForkFunction().
  explicit Child(process_internal::ChildParts parts);

  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Closes the pipes, then applies `when_destroyed()` if the child still
  // runs (see README.md).
  ~Child();

  // The child's pid (kept after reaping, for messages only). -1 if empty.
  pid_t pid() const { return pid_; }
  // Its process group's id if it was started as a group leader, else 0.
  pid_t process_group() const { return process_group_; }
  // Holds a process (running or reaped).
  bool valid() const { return pid_ > 0; }
  bool reaped() const { return status_.has_value() || lost_; }
  // How it ended, once reaped.
  const std::optional<ExitStatus>& exit_status() const { return status_; }
  // Timed waits and signals use a pidfd (see README.md). Opens it
  // on first use: a child only ever waited for without a deadline needs
  // none.
  bool has_pidfd() { return PidFd() >= 0; }

  // The parent's ends of `Stdio::Pipe()` descriptors; not open (every call
  // fails with kFailedPrecondition) for the others.
  PipeWriter& stdin_writer() { return stdin_writer_; }
  PipeReader& stdout_reader() { return stdout_reader_; }
  PipeReader& stderr_reader() { return stderr_reader_; }

  // Waits as long as it takes.
  absl::StatusOr<ExitStatus> Wait();
  // Waits at most `timeout` / until `deadline`: `TimedOutError()` if the
  // child still runs then.
  absl::StatusOr<ExitStatus> WaitFor(absl::Duration timeout);
  absl::StatusOr<ExitStatus> WaitUntil(Deadline deadline);
  // Does not wait: `WouldBlockError()` while the child runs.
  absl::StatusOr<ExitStatus> TryWait();

  // Sends `signo` to the child. kFailedPrecondition once it is reaped;
  // kInvalidArgument for a bad signal number.
  absl::Status Signal(int signo);
  // Sends `signo` to the child's process group. kFailedPrecondition unless
  // it was started as a group leader (`SetNewProcessGroup`,
  // `ForkOptions::new_process_group`).
  absl::Status SignalGroup(int signo);

  // Hands the running child to the ChildReaper and empties this object
  // (pipes closed). OK at once if it has already been reaped. On failure
  // (the reaper is full) nothing changes.
  absl::Status Detach();

  WhenDestroyedRunning when_destroyed() const { return when_destroyed_; }
  void set_when_destroyed(WhenDestroyedRunning policy) {
    when_destroyed_ = policy;
  }

 private:
  absl::StatusOr<ExitStatus> Record(absl::StatusOr<ExitStatus> result);
  absl::Status CheckValid(const char* operation) const;
  absl::Status CheckNotReaped(const char* operation) const;
  void ClosePipes();
  // The destructor's work; leaves the object empty.
  void Reset();
  // Forgets the process (no system call).
  void Clear();
  // The pidfd, opened on first use; -1 where there is none.
  int PidFd();
  void KillAndReap();

  pid_t pid_ = -1;
  Fd pidfd_;
  bool pidfd_tried_ = false;
  pid_t process_group_ = 0;
  PipeWriter stdin_writer_;
  PipeReader stdout_reader_;
  PipeReader stderr_reader_;
  std::optional<ExitStatus> status_;
  bool lost_ = false;  // reaped elsewhere (ECHILD): status unknown
  WhenDestroyedRunning when_destroyed_ = WhenDestroyedRunning::kKillAndReap;
};

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_CHILD_H_
