#include "tools/bench/peer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/bench/cpu_affinity.h"

namespace ipcbox::bench {
namespace {

// Exit codes of the peer, by the stage that failed.
constexpr int kServeFailed = 1;
constexpr int kSetupFailed = 2;
constexpr int kPinFailed = 3;
constexpr int kOrphaned = 4;

constexpr char kReady = 'R';

constexpr absl::Duration kReapAfterKill = absl::Seconds(30);

absl::Duration MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::DurationFromTimespec(ts);
}

void FlushStdio() {
  std::cout.flush();
  std::cerr.flush();
  fflush(nullptr);
}

void CloseQuietly(int fd) {
  if (fd >= 0) close(fd);
}

// Exits 0 for an OK status, else reports it and exits with `failure_code`.
[[noreturn]] void Leave(int failure_code, const char* stage,
                        const absl::Status& status) {
  if (!status.ok()) {
    fprintf(stderr, "benchmark peer %d: %s: %s\n", getpid(), stage,
            status.ToString().c_str());
  }
  FlushStdio();
  _exit(status.ok() ? 0 : failure_code);
}

[[noreturn]] void RunPeer(pid_t parent, int cpu, int ready_fd,
                          absl::FunctionRef<absl::Status()> setup,
                          absl::FunctionRef<absl::Status()> serve) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kOrphaned);
  if (absl::Status s = PinThisThread(cpu); !s.ok()) Leave(kPinFailed, "pin", s);
  if (absl::Status s = setup(); !s.ok()) Leave(kSetupFailed, "setup", s);
  const ssize_t written = write(ready_fd, &kReady, 1);
  close(ready_fd);
  if (written != 1) {
    Leave(kSetupFailed, "ready", absl::ErrnoToStatus(errno, "write(ready)"));
  }
  Leave(kServeFailed, "serve", serve());
}

// Bounded poll for one byte on `fd`.
absl::Status AwaitReady(int fd, absl::Duration timeout) {
  const absl::Duration deadline = MonotonicNow() + timeout;
  for (;;) {
    const absl::Duration left = deadline - MonotonicNow();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "benchmark peer not ready after ", absl::FormatDuration(timeout)));
    }
    pollfd pfd = {fd, POLLIN, 0};
    const int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(left));
    const int n = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (n < 0 && errno != EINTR) return absl::ErrnoToStatus(errno, "poll");
    if (n <= 0) continue;
    char byte = 0;
    const ssize_t got = read(fd, &byte, 1);
    if (got == 1 && byte == kReady) return absl::OkStatus();
    if (got < 0 && errno == EINTR) continue;
    return absl::InternalError("benchmark peer exited before it was ready");
  }
}

const char* ExplainExitCode(int code) {
  switch (code) {
    case kServeFailed:
      return " (serving failed; see its message above)";
    case kSetupFailed:
      return " (setup failed; see its message above)";
    case kPinFailed:
      return " (could not pin itself to its CPU)";
    case kOrphaned:
      return " (the parent was gone)";
    default:
      return "";
  }
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) {
    return absl::StrCat("exited with code ", WEXITSTATUS(status),
                        ExplainExitCode(WEXITSTATUS(status)));
  }
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status));
  }
  return absl::StrCat("wait status ", status);
}

}  // namespace

absl::StatusOr<PeerProcess> PeerProcess::Start(
    int cpu, absl::FunctionRef<absl::Status()> setup,
    absl::FunctionRef<absl::Status()> serve, absl::Duration ready_timeout) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    return absl::ErrnoToStatus(errno, "pipe2(ready)");
  }
  FlushStdio();  // Or buffered output is printed by both processes.
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    CloseQuietly(ready[0]);
    CloseQuietly(ready[1]);
    return absl::ErrnoToStatus(error, "fork");
  }
  if (pid == 0) {
    close(ready[0]);
    RunPeer(parent, cpu, ready[1], setup, serve);
  }
  close(ready[1]);
  PeerProcess peer(pid);
  absl::Status readiness = AwaitReady(ready[0], ready_timeout);
  close(ready[0]);
  if (!readiness.ok()) {
    // The exit status says which stage failed; collect it for the message
    // (a peer that is merely slow is killed a second later).
    absl::Status finished = peer.Finish(absl::Seconds(1));
    return finished.ok() ? readiness : finished;
  }
  return peer;
}

PeerProcess::PeerProcess(PeerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)) {}

PeerProcess& PeerProcess::operator=(PeerProcess&& other) noexcept {
  if (this != &other) {
    Finish(absl::ZeroDuration()).IgnoreError();
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

PeerProcess::~PeerProcess() { Finish(absl::ZeroDuration()).IgnoreError(); }

absl::Status PeerProcess::Finish(absl::Duration timeout) {
  if (pid_ <= 0) return absl::OkStatus();
  const absl::Duration deadline = MonotonicNow() + timeout;
  absl::Duration pause = absl::Microseconds(50);
  bool killed = false;
  for (;;) {
    int status = 0;
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped < 0 && errno == EINTR) continue;
    if (reaped < 0) {
      const int error = errno;
      pid_ = -1;
      return absl::ErrnoToStatus(error, "waitpid(benchmark peer)");
    }
    if (reaped == pid_) {
      const pid_t pid = std::exchange(pid_, -1);
      if (killed) {
        return absl::DeadlineExceededError(
            absl::StrCat("benchmark peer ", pid, " did not finish within ",
                         absl::FormatDuration(timeout), "; killed"));
      }
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return absl::OkStatus();
      return absl::InternalError(
          absl::StrCat("benchmark peer ", pid, " ", DescribeStatus(status)));
    }
    if (!killed && MonotonicNow() >= deadline) {
      kill(pid_, SIGKILL);
      killed = true;
    } else if (killed && MonotonicNow() >= deadline + kReapAfterKill) {
      // Stuck in an uninterruptible sleep: report rather than hang.
      return absl::DeadlineExceededError(absl::StrCat(
          "benchmark peer ", std::exchange(pid_, -1), " survived SIGKILL for ",
          absl::FormatDuration(kReapAfterKill)));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(5));
  }
}

}  // namespace ipcbox::bench
