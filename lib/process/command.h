// command.h
//
// `Command` describes a program to start: its argument vector, environment,
// working directory, standard descriptors and process group. It is only a
// description; `Spawn()` (spawn.h) starts it and `Popen` (popen.h) runs it
// with a pipe. Everything the child needs is prepared in the parent from a
// `Command` (the program's path resolved, argv and envp built), so that
// nothing is allocated between fork and exec.
//
// Example:
//
//   Command sort({"sort", "-r"});
//   sort.SetStdin(Stdio::Pipe()).SetStdout(Stdio::Pipe());
//   sort.SetEnv("LC_ALL", "C");
//   absl::StatusOr<Child> child = Spawn(sort);
//
// The program is argv[0]. Without a slash it is looked up in PATH (the
// command's own PATH if it sets one, else the parent's, else "/bin:/usr/bin"),
// like execvp(); with one, it is used as it is. Arguments are passed as they
// are, never through a shell: `Command::Shell()` is the explicit way to run
// shell syntax (pipes, globbing, redirections), and the only one where the
// text's quoting matters.

#ifndef IPCBOX_PROCESS_COMMAND_H_
#define IPCBOX_PROCESS_COMMAND_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ipcbox/process/child_stdio.h"

namespace ipcbox {

class Command {
 public:
  explicit Command(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  Command(std::initializer_list<std::string> argv) : argv_(argv) {}

  // `/bin/sh -c script`: the popen(3) way, for shell syntax.
  static Command Shell(absl::string_view script);

  // Sets, replaces or removes one environment variable of the child (which
  // otherwise inherits the parent's environment as it is when spawned).
  Command& SetEnv(absl::string_view name, absl::string_view value);
  Command& UnsetEnv(absl::string_view name);
  // Starts the child with an empty environment (plus what SetEnv adds).
  Command& ClearEnv();

  // The child's working directory (default: the parent's).
  Command& SetWorkingDirectory(absl::string_view path);

  Command& SetStdin(Stdio stdio) {
    stdio_.in = stdio;
    return *this;
  }
  Command& SetStdout(Stdio stdio) {
    stdio_.out = stdio;
    return *this;
  }
  Command& SetStderr(Stdio stdio) {
    stdio_.err = stdio;
    return *this;
  }

  // Starts the child as the leader of a new process group (pgid = its pid),
  // so that it and everything it starts can be signalled together
  // (`ShutDownGroup()`) and a terminal's Ctrl-C to the parent's group does
  // not reach it.
  Command& SetNewProcessGroup(bool new_group) {
    new_process_group_ = new_group;
    return *this;
  }

  const std::vector<std::string>& argv() const { return argv_; }
  const ChildStdio& stdio() const { return stdio_; }
  bool new_process_group() const { return new_process_group_; }
  const std::optional<std::string>& working_directory() const {
    return working_directory_;
  }

  // OK if the command can be started as far as can be told without looking
  // at the file system: argv is not empty, argv[0] is not empty, no string
  // holds a NUL byte, environment names are not empty and hold no '=', and
  // only stderr uses `Stdio::SameAsStdout()`. kInvalidArgument otherwise.
  absl::Status Validate() const;

  // The environment the child gets, as "NAME=value" strings.
  std::vector<std::string> BuildEnvironment() const;

  // The PATH the program is looked up in (see the header comment).
  std::string SearchPath() const;

  // argv, quoted, for messages: ["sort", "-r"].
  std::string ToString() const;

 private:
  std::vector<std::string> argv_;
  bool clear_env_ = false;
  // Ordered changes: value nullopt means "unset".
  std::vector<std::pair<std::string, std::optional<std::string>>> env_changes_;
  std::optional<std::string> working_directory_;
  ChildStdio stdio_;
  bool new_process_group_ = false;
};

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_COMMAND_H_
