#include "ipcbox/process/fork_function.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/child_reaper.h"
#include "ipcbox/process/internal/stdio_plan.h"

// close_range(2), Linux 5.9; the same number on every architecture.
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace ipcbox {
namespace {

using process_internal::StdioPlan;

// Exit code of a child that could not set itself up (it says why on
// stderr). With valid descriptors none of those calls can fail.
constexpr int kSetupFailedExit = 127;
// Exit code when an exception escapes the function (builds with exceptions).
constexpr int kUncaughtExceptionExit = 70;  // EX_SOFTWARE

// What the child keeps when it closes inherited descriptors, prepared in
// the parent: sorted, above 2, no duplicates.
struct KeepList {
  std::vector<int> fds;
  int limit = 0;  // one past the highest descriptor number to close
};

KeepList PrepareKeepList(const ForkOptions& options) {
  KeepList keep;
  if (!options.close_other_descriptors) return keep;
  for (int fd : options.keep_open) {
    if (fd > STDERR_FILENO) keep.fds.push_back(fd);
  }
  std::sort(keep.fds.begin(), keep.fds.end());
  keep.fds.erase(std::unique(keep.fds.begin(), keep.fds.end()), keep.fds.end());
  rlimit limit;
  keep.limit = 1 << 16;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t{1} << 20)) {
    keep.limit = static_cast<int>(limit.rlim_cur);
  }
  return keep;
}

// Closes [low, high]. Async-signal-safe.
void CloseRange(int low, int high, int limit) {
  if (low > high) return;
  if (::syscall(SYS_close_range, static_cast<unsigned>(low),
                static_cast<unsigned>(high), 0u) == 0) {
    return;
  }
  for (int fd = low; fd <= high && fd < limit; ++fd) ::close(fd);
}

bool Kept(const KeepList& keep, int fd) {
  return std::binary_search(keep.fds.begin(), keep.fds.end(), fd);
}

// Without close_range: closes every descriptor listed in /proc/self/fd
// (above 2, not kept), whatever its number; a descriptor above
// RLIMIT_NOFILE (opened before the limit was lowered) is closed too, which
// a loop up to the limit would miss. Async-signal-safe: open, the raw
// getdents64 system call into a stack buffer, close; no allocation. Closing
// while listing is fine: /proc/self/fd's position is the descriptor number,
// not an index. False if /proc cannot be read.
bool CloseListedDescriptors(const KeepList& keep) {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name.
      unsigned short reclen;
      std::memcpy(&reclen, buf + at + 16, sizeof(reclen));
      if (reclen == 0 || at + reclen > n) break;
      const char* name = buf + at + 19;
      at += reclen;
      int fd = 0;
      bool number = *name != '\0';
      for (const char* c = name; *c != '\0' && number; ++c) {
        if (*c < '0' || *c > '9' || fd > (INT_MAX - 9) / 10) {
          number = false;
        } else {
          fd = fd * 10 + (*c - '0');
        }
      }
      if (!number || fd <= STDERR_FILENO || fd == dir || Kept(keep, fd)) {
        continue;
      }
      ::close(fd);
    }
  }
  ::close(dir);
  return true;
}

// Closes every descriptor above 2 except `keep`. Async-signal-safe: reads
// the prepared list, makes only close calls (and, without close_range,
// reads /proc/self/fd).
void CloseInheritedDescriptors(const KeepList& keep) {
  const int probe = ::syscall(SYS_close_range, ~0u, ~0u, 0u);
  if (probe != 0 && errno == ENOSYS && CloseListedDescriptors(keep)) return;
  int low = STDERR_FILENO + 1;
  for (int fd : keep.fds) {
    CloseRange(low, fd - 1, keep.limit);
    low = fd + 1;
  }
  CloseRange(low, INT_MAX, keep.limit);
}

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

// Says on stderr why the child could not set itself up, then exits.
[[noreturn]] void SetupFailed(int err) {
  static constexpr char kMessage[] =
      "ipcbox ForkFunction: setting up the child failed, errno ";
  char digits[12];
  int n = 0;
  for (unsigned value = static_cast<unsigned>(err); n == 0 || value != 0;
       value /= 10) {
    digits[n++] = static_cast<char>('0' + value % 10);
  }
  char line[sizeof(kMessage) + sizeof(digits) + 1];
  size_t length = sizeof(kMessage) - 1;
  std::memcpy(line, kMessage, length);
  while (n > 0) line[length++] = digits[--n];
  line[length++] = '\n';
  (void)!::write(STDERR_FILENO, line, length);
  _exit(kSetupFailedExit);
}

// The child's side. Async-signal-safe until fn() runs.
[[noreturn]] void RunChild(absl::FunctionRef<int()> fn,
                           const ForkOptions& options, const StdioPlan& plan,
                           const KeepList& keep, pid_t parent) {
  process_internal::ForgetReaperTableAfterFork();
  if (options.new_process_group && ::setpgid(0, 0) != 0) SetupFailed(errno);
  if (options.die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) SetupFailed(errno);
    if (::getppid() != parent) _exit(kSetupFailedExit);  // already orphaned
  }
  if (int err = process_internal::ApplyInForkedChild(plan); err != 0) {
    SetupFailed(err);
  }
  if (options.close_other_descriptors) CloseInheritedDescriptors(keep);
  const int code = RunCatching(fn);
  if (options.flush_stdio_on_exit) std::fflush(nullptr);
  _exit(code & 0xff);
}

}  // namespace

absl::StatusOr<Child> ForkFunction(absl::FunctionRef<int()> fn,
                                   const ForkOptions& options) {
  absl::StatusOr<StdioPlan> plan =
      process_internal::PrepareStdio(options.stdio);
  if (!plan.ok()) return plan.status();
  const KeepList keep = PrepareKeepList(options);

  std::fflush(nullptr);  // or buffered output is printed by both processes
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork", "");
  if (pid == 0) RunChild(fn, options, *plan, keep, parent);

  // Set the group here too, so it holds whichever process runs first; EACCES
  // (the child already exec'd) and ESRCH (already gone) are harmless.
  if (options.new_process_group) (void)::setpgid(pid, pid);
  process_internal::ChildParts parts;
  parts.pid = pid;
  parts.process_group = options.new_process_group ? pid : 0;
  parts.stdin_writer = std::move(plan->stdin_writer);
  parts.stdout_reader = std::move(plan->stdout_reader);
  parts.stderr_reader = std::move(plan->stderr_reader);
  return Child(std::move(parts));
  // `plan` goes out of scope: the child's ends close in the parent.
}

}  // namespace ipcbox
