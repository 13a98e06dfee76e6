// What lib/process costs on top of the system calls it wraps, per child:
// starting a program and waiting for it, capturing a program's output
// (popen), and forking a function. Each case runs in one process (the
// children are the work), ipcbox and raw interleaved by the harness.
//
//   ./bazelw run -c opt //tools/bench:process_bench
//   ./bazelw run -c opt //tools/bench:process_bench -- --repetitions=21
//
// raw: posix_spawn / pipe2 + posix_spawn_file_actions_adddup2 / fork, then
// waitpid; ipcbox: Spawn + Child::Wait, Popen::Read, ForkFunction +
// Child::Wait. ipcbox does more per child, on purpose: it checks the
// program before spawning (stat + access), builds argv/envp, resets the
// child's signal mask and SIGPIPE, opens a pidfd and waits with poll; the
// ratio says what that costs next to the fork and exec themselves.
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/fork_function.h"
#include "ipcbox/process/popen.h"
#include "ipcbox/process/spawn.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

constexpr char kTrue[] = "/bin/true";
constexpr char kEcho[] = "/bin/echo";

absl::Status RawWait(pid_t pid, int expected_code) {
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != pid) return absl::ErrnoToStatus(errno, "waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != expected_code) {
    return absl::InternalError("child did not exit as expected");
  }
  return absl::OkStatus();
}

absl::Status CheckSuccess(const absl::StatusOr<ExitStatus>& status) {
  if (!status.ok()) return status.status();
  if (!status->success()) return absl::InternalError(status->ToString());
  return absl::OkStatus();
}

// posix_spawn of /bin/true, then waitpid.
Variant RawSpawnWait() {
  Variant v;
  v.name = "raw";
  v.run = [](int64_t ops) {
    char* argv[] = {const_cast<char*>(kTrue), nullptr};
    for (int64_t i = 0; i < ops; ++i) {
      pid_t pid = -1;
      if (int err = posix_spawn(&pid, kTrue, nullptr, nullptr, argv, environ)) {
        return absl::ErrnoToStatus(err, "posix_spawn");
      }
      if (absl::Status s = RawWait(pid, 0); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  return v;
}

Variant IpcboxSpawnWait() {
  Variant v;
  v.name = "ipcbox";
  v.run = [](int64_t ops) {
    const Command command({kTrue});
    for (int64_t i = 0; i < ops; ++i) {
      absl::StatusOr<Child> child = Spawn(command);
      if (!child.ok()) return child.status();
      if (absl::Status s = CheckSuccess(child->Wait()); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  return v;
}

// /bin/echo with stdout on a pipe, read to end-of-file, then waitpid.
Variant RawPopenRead() {
  Variant v;
  v.name = "raw";
  v.run = [](int64_t ops) {
    char* argv[] = {const_cast<char*>(kEcho), const_cast<char*>("x"), nullptr};
    for (int64_t i = 0; i < ops; ++i) {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0)
        return absl::ErrnoToStatus(errno, "pipe2");
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
      pid_t pid = -1;
      const int err =
          posix_spawn(&pid, kEcho, &actions, nullptr, argv, environ);
      posix_spawn_file_actions_destroy(&actions);
      close(fds[1]);
      if (err != 0) {
        close(fds[0]);
        return absl::ErrnoToStatus(err, "posix_spawn");
      }
      char buffer[64];
      size_t total = 0;
      ssize_t n;
      while ((n = read(fds[0], buffer, sizeof(buffer))) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return absl::ErrnoToStatus(errno, "read");
        total += static_cast<size_t>(n);
      }
      close(fds[0]);
      if (total != 2) return absl::InternalError("unexpected output");
      if (absl::Status s = RawWait(pid, 0); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  return v;
}

Variant IpcboxPopenRead() {
  Variant v;
  v.name = "ipcbox";
  v.run = [](int64_t ops) {
    for (int64_t i = 0; i < ops; ++i) {
      absl::StatusOr<CommandOutput> out = Popen::Read(Command({kEcho, "x"}));
      if (!out.ok()) return out.status();
      if (out->output.size() != 2 || !out->status.success()) {
        return absl::InternalError("unexpected output");
      }
    }
    return absl::OkStatus();
  };
  return v;
}

// fork of a function that exits 0 at once, then waitpid.
Variant RawForkWait() {
  Variant v;
  v.name = "raw";
  v.run = [](int64_t ops) {
    for (int64_t i = 0; i < ops; ++i) {
      const pid_t pid = fork();
      if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
      if (pid == 0) _exit(0);
      if (absl::Status s = RawWait(pid, 0); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  return v;
}

Variant IpcboxForkWait() {
  Variant v;
  v.name = "ipcbox";
  v.run = [](int64_t ops) {
    ForkOptions options;
    options.flush_stdio_on_exit = false;  // as the raw child: nothing to flush
    for (int64_t i = 0; i < ops; ++i) {
      absl::StatusOr<Child> child = ForkFunction([] { return 0; }, options);
      if (!child.ok()) return child.status();
      if (absl::Status s = CheckSuccess(child->Wait()); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  return v;
}

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::Suite;
  Suite suite("lib/process: children per second, ipcbox vs raw");
  suite.Add({"spawn /bin/true + wait", /*ops_per_rep=*/100},
            ipcbox::bench::RawSpawnWait(), ipcbox::bench::IpcboxSpawnWait());
  suite.Add({"popen read of /bin/echo", /*ops_per_rep=*/100},
            ipcbox::bench::RawPopenRead(), ipcbox::bench::IpcboxPopenRead());
  suite.Add({"fork function + wait", /*ops_per_rep=*/200},
            ipcbox::bench::RawForkWait(), ipcbox::bench::IpcboxForkWait());
  return suite.Main(argc, argv);
}
