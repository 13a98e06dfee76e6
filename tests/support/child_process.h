// ForkChild runs a function in a forked child process, for tests whose peer
// must be a real second process (locks, shared memory, pipes, signals). Every
// wait on the child is bounded: a hung child fails the test, it never hangs it.
// It is the library's ForkFunction() (ipcbox/process/fork_function.h) and
// Child, plus what a test needs on top: GoogleTest failures in the child
// become its exit code, and results read as assertion messages.
//
//   absl::StatusOr<ipcbox::testing::ChildProcess> child =
//       ipcbox::testing::ForkChild([&] {
//         EXPECT_TRUE(lock.TryLock().ok());  // A failure here fails the child.
//         return 0;                          // Or `return;` from a void
//         lambda.
//       });
//   ASSERT_TRUE(child.ok()) << child.status();
//   ipcbox::testing::ExitResult result = child->Wait(absl::Seconds(10));
//   EXPECT_TRUE(ipcbox::testing::ExitedWith(result, 0));
//
// In the child, the function's int result becomes the exit status (a void
// function exits 0). A GoogleTest failure recorded in the child (EXPECT_*,
// ASSERT_*, ADD_FAILURE) turns a zero status into kChildTestFailed, and an
// exception escaping the function becomes kChildThrew. The child always ends
// with _exit() after flushing stdio, so it never returns into the test runner,
// runs no atexit handlers or static destructors of the parent's, and never
// prints the parent's buffered output twice.
//
// The child gets SIGKILL if the forking thread of the parent dies, so a
// crashed or interrupted test leaves no orphan (a parent already gone when
// the child starts makes it exit with kChildOrphaned, ForkFunction's 127). A
// ChildProcess still running when destroyed (say, after an ASSERT in the parent
// returned early) is killed with SIGKILL and reaped. Grandchildren the child
// forks are its own business.
//
// Only the forking thread exists in the child: in a test that has started
// threads, the child should not take locks those threads may have held.

#ifndef IPCBOX_TESTS_SUPPORT_CHILD_PROCESS_H_
#define IPCBOX_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/process/child.h"

namespace ipcbox::testing {

// Exit codes the child uses for outcomes the function itself did not choose.
inline constexpr int kChildTestFailed = 101;
inline constexpr int kChildThrew = 102;
// ForkFunction's code for a child that could not set itself up, which with
// die_with_parent includes a parent that died before fn ran.
inline constexpr int kChildOrphaned = 127;

// How a child ended, as seen by the parent.
struct ExitResult {
  pid_t pid = -1;
  bool exited = false;  // Called _exit(); exit_code is its status.
  int exit_code = -1;
  bool signaled = false;  // Terminated by term_signal.
  int term_signal = 0;
  bool core_dumped = false;
  // The wait ran out and the harness killed the child with SIGKILL.
  bool timed_out = false;
  absl::Duration waited = absl::ZeroDuration();  // How long Wait() waited.
  // waitpid() itself failed with this errno (the child was already reaped).
  int wait_errno = 0;

  bool exited_with(int code) const { return exited && exit_code == code; }
  bool killed_by(int signal) const { return signaled && term_signal == signal; }

  // E.g. "exited with code 3", "killed by signal 11 (SIGSEGV: Segmentation
  // fault), core dumped", "timed out after 200ms; killed by signal 9 (...)".
  std::string Describe() const;
};

std::ostream& operator<<(std::ostream& os, const ExitResult& result);

// Assertion helpers whose failure message describes how the child ended:
//   EXPECT_TRUE(ExitedWith(result, 0));
//   EXPECT_TRUE(KilledBy(result, SIGTERM));
::testing::AssertionResult ExitedWith(const ExitResult& result, int code);
::testing::AssertionResult KilledBy(const ExitResult& result, int signal);

// Readable name of a signal, e.g. "signal 15 (SIGTERM: Terminated)".
std::string DescribeSignal(int signal);

// A forked child. Move-only; owns the obligation to reap it.
class ChildProcess;

namespace child_process_internal {
absl::StatusOr<ChildProcess> Fork(absl::FunctionRef<int()> fn);
}  // namespace child_process_internal

class ChildProcess {
 public:
  // The moved-from object holds no child and has pid() -1.
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills (SIGKILL) and reaps a child that is still running.
  ~ChildProcess();

  // The child's pid, kept after it has been reaped (for messages only: the
  // kernel may reuse it).
  pid_t pid() const { return pid_; }

  // Waits at most `timeout` for the child to end. If it has not, kills it with
  // SIGKILL, reaps it and reports timed_out. Once the child is reaped, every
  // later call returns the same result at once. The wait bounds a hang, so
  // `timeout` is stretched by IPCBOX_TIME_SCALE (time_scale.h; 1 unless set).
  ExitResult Wait(absl::Duration timeout);

  // Reaps the child if it has ended, without waiting; nullopt while it runs.
  // Useful to check that a child is still blocked where it should be.
  std::optional<ExitResult> Poll();

  // Sends a signal. FailedPrecondition once the child has been reaped.
  absl::Status Kill(int signal);

 private:
  friend absl::StatusOr<ChildProcess> child_process_internal::Fork(
      absl::FunctionRef<int()> fn);
  explicit ChildProcess(Child child)
      : child_(std::move(child)), pid_(child_.pid()) {}

  void KillAndReap();

  Child child_;
  pid_t pid_ = -1;
  std::optional<ExitResult> result_;  // Set once reaped.
};

// Forks; the child runs fn() and _exit()s, the parent gets the ChildProcess.
// fn returns int (the exit code) or void (exit code 0). Stdio is flushed
// before the fork.
template <typename Fn>
absl::StatusOr<ChildProcess> ForkChild(Fn&& fn) {
  if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
    return child_process_internal::Fork([&fn]() -> int {
      fn();
      return 0;
    });
  } else {
    static_assert(std::is_convertible_v<std::invoke_result_t<Fn&>, int>,
                  "ForkChild's function must return int or void");
    return child_process_internal::Fork([&fn]() -> int { return fn(); });
  }
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_CHILD_PROCESS_H_
