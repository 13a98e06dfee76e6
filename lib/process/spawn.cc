#include "ipcbox/process/spawn.h"

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/internal/find_program.h"
#include "ipcbox/process/internal/stdio_plan.h"

namespace ipcbox {
namespace {

using process_internal::StdioPlan;

// A null-terminated char* vector over `strings`, which must outlive it.
std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// posix_spawn_file_actions_t and posix_spawnattr_t, destroyed on every path.
class SpawnSettings {
 public:
  SpawnSettings() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
  }
  ~SpawnSettings() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnSettings(const SpawnSettings&) = delete;
  SpawnSettings& operator=(const SpawnSettings&) = delete;

  // The posix_spawn* setters return an error number rather than set errno.
  absl::Status Configure(const Command& command, const StdioPlan& plan) {
    for (int target = 0; target < 3; ++target) {
      if (plan.source[target] < 0) continue;
      if (int err = posix_spawn_file_actions_adddup2(
              &actions_, plan.source[target], target)) {
        return ErrnoError(err, "posix_spawn_file_actions_adddup2", "");
      }
    }
    if (plan.stderr_same_as_stdout) {
      if (int err = posix_spawn_file_actions_adddup2(&actions_, STDOUT_FILENO,
                                                     STDERR_FILENO)) {
        return ErrnoError(err, "posix_spawn_file_actions_adddup2", "");
      }
    }
    if (command.working_directory().has_value()) {
      if (int err = posix_spawn_file_actions_addchdir_np(
              &actions_, command.working_directory()->c_str())) {
        return ErrnoError(err, "posix_spawn_file_actions_addchdir_np",
                          *command.working_directory());
      }
    }
    return ConfigureAttributes(command);
  }

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attributes() const { return &attributes_; }

 private:
  absl::Status ConfigureAttributes(const Command& command) {
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t to_default;
    sigemptyset(&to_default);
    sigaddset(&to_default, SIGPIPE);
    sigaddset(&to_default, SIGCHLD);
    int err = posix_spawnattr_setsigmask(&attributes_, &empty);
    if (err == 0)
      err = posix_spawnattr_setsigdefault(&attributes_, &to_default);
    if (err == 0 && command.new_process_group()) {
      flags |= POSIX_SPAWN_SETPGROUP;
      err = posix_spawnattr_setpgroup(&attributes_, 0);
    }
    if (err == 0) err = posix_spawnattr_setflags(&attributes_, flags);
    if (err != 0) return ErrnoError(err, "posix_spawnattr", "");
    return absl::OkStatus();
  }

  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

}  // namespace

absl::StatusOr<Child> Spawn(const Command& command) {
  if (absl::Status s = command.Validate(); !s.ok()) return s;
  absl::StatusOr<std::string> program =
      process_internal::FindProgram(command.argv()[0], command.SearchPath());
  if (!program.ok()) return program.status();

  std::vector<std::string> argv = command.argv();
  std::vector<std::string> env = command.BuildEnvironment();
  std::vector<char*> argv_pointers = PointersTo(argv);
  std::vector<char*> env_pointers = PointersTo(env);

  absl::StatusOr<StdioPlan> plan =
      process_internal::PrepareStdio(command.stdio());
  if (!plan.ok()) return plan.status();
  SpawnSettings settings;
  if (absl::Status s = settings.Configure(command, *plan); !s.ok()) return s;

  pid_t pid = -1;
  if (int err = ::posix_spawn(&pid, program->c_str(), settings.actions(),
                              settings.attributes(), argv_pointers.data(),
                              env_pointers.data())) {
    return ErrnoError(err, "posix_spawn", *program);
  }
  // posix_spawn returns after the child's exec (vfork semantics), so the
  // group is set by now; where the vfork is emulated by a fork (qemu-user)
  // it may not be yet, and setting it here too closes that race. EACCES
  // (the child has already exec'd) means it was set.
  if (command.new_process_group()) (void)::setpgid(pid, pid);
  // From here on the child exists: whatever happens, a Child owns it.
  process_internal::ChildParts parts;
  parts.pid = pid;
  parts.process_group = command.new_process_group() ? pid : 0;
  parts.stdin_writer = std::move(plan->stdin_writer);
  parts.stdout_reader = std::move(plan->stdout_reader);
  parts.stderr_reader = std::move(plan->stderr_reader);
  return Child(std::move(parts));
  // `plan` goes out of scope here: the child's ends close in the parent.
}

}  // namespace ipcbox
