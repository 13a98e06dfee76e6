// exit_status.h
//
// `ExitStatus` is how a child process ended: it exited with a code, or a
// signal terminated it (possibly dumping core). It decodes waitpid()'s
// status word once, so callers never juggle WIFEXITED/WTERMSIG, and prints
// itself readably for logs and test failures.
//
// Example:
//
//   absl::StatusOr<ExitStatus> status = child.Wait();
//   if (!status.ok()) return status.status();
//   if (!status->success()) LOG(WARNING) << "sort " << *status;
//   // sort exited with code 2
//   // sort killed by SIGTERM (signal 15)
//
// A small value: copy it. Everything except `ToString()` is a few integer
// operations: no allocation.

#ifndef IPCBOX_PROCESS_EXIT_STATUS_H_
#define IPCBOX_PROCESS_EXIT_STATUS_H_

#include <ostream>
#include <string>

namespace ipcbox {

class ExitStatus {
 public:
  // From the status word of waitpid()/wait(). Must describe an ended child
  // (exited or signaled), not a stopped one.
  static ExitStatus FromWaitStatus(int wait_status);
  // Exited with `code` (0..255).
  static ExitStatus Exited(int code);
  // Terminated by `signo`.
  static ExitStatus KilledBy(int signo, bool core_dumped = false);

  // Called exit()/_exit() or returned from main.
  bool exited() const { return !signaled_; }
  // The exit code when `exited()`, else -1.
  int exit_code() const { return signaled_ ? -1 : value_; }
  // A signal ended it.
  bool signaled() const { return signaled_; }
  // The signal when `signaled()`, else 0.
  int term_signal() const { return signaled_ ? value_ : 0; }
  bool core_dumped() const { return core_dumped_; }

  // Exited with code 0.
  bool success() const { return !signaled_ && value_ == 0; }
  bool exited_with(int code) const { return !signaled_ && value_ == code; }
  bool killed_by(int signo) const { return signaled_ && value_ == signo; }

  // "exited with code 3", "killed by SIGKILL (signal 9)", "killed by SIGSEGV
  // (signal 11), core dumped". Allocates.
  std::string ToString() const;

  friend bool operator==(const ExitStatus& a, const ExitStatus& b) {
    return a.signaled_ == b.signaled_ && a.value_ == b.value_ &&
           a.core_dumped_ == b.core_dumped_;
  }
  friend bool operator!=(const ExitStatus& a, const ExitStatus& b) {
    return !(a == b);
  }

 private:
  ExitStatus(bool signaled, int value, bool core_dumped)
      : signaled_(signaled), value_(value), core_dumped_(core_dumped) {}

  bool signaled_;
  int value_;  // exit code or signal number
  bool core_dumped_;
};

std::ostream& operator<<(std::ostream& os, const ExitStatus& status);

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_EXIT_STATUS_H_
