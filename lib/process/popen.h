// popen.h
//
// The popen(3)/pclose(3) pattern: run a command with a pipe to its stdin or
// from its stdout, talk to it through the pipe, then close the pipe and get
// its exit status. Unlike popen(), the command is an argument vector (no
// shell unless `Command::Shell()` asks for one), errors are statuses, every
// wait can have a deadline, and the result says how the command ended.
//
// One call for the common cases, or a stream like popen()'s FILE*:
//
//   // Sort a list (ALP's dup2/popen example): write it, read the result.
//   absl::StatusOr<CommandOutput> sorted =
//       Popen::Filter(Command({"sort"}), "pear\napple\n");
//   // sorted->output == "apple\npear\n", sorted->status.success()
//   absl::StatusOr<CommandOutput> listing = Popen::Read(Command({"ls", "/"}));
//
//   absl::StatusOr<Popen> sort = Popen::OpenForWriting(Command({"sort"}));
//   (void)sort->input().WriteAll("b\na\n");      // sort prints to our stdout
//   absl::StatusOr<ExitStatus> status = sort->Close();   // pclose()
//
// `Filter()` writes and reads at once, so it cannot deadlock against a
// command that writes before reading all its input; a command that stops
// reading early is not an error. Past a deadline the command is killed and
// the call returns `TimedOutError()`; output beyond `max_output` bytes is
// kResourceExhausted. Other descriptors are inherited unless the `Command`
// says otherwise.

#ifndef IPCBOX_PROCESS_POPEN_H_
#define IPCBOX_PROCESS_POPEN_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {

struct CommandOutput {
  std::string output;  // what the command wrote to stdout
  ExitStatus status = ExitStatus::Exited(0);
};

struct PopenOptions {
  // The whole conversation, start to exit.
  Deadline deadline = Deadline::Infinite();
  // The most stdout bytes kept by Read() and Filter().
  size_t max_output = size_t{64} << 20;
};

class Popen {
 public:
  // Runs `command` with its stdout read through `output()` (popen "r").
  static absl::StatusOr<Popen> OpenForReading(Command command);
  // Runs `command` with its stdin written through `input()` (popen "w").
  static absl::StatusOr<Popen> OpenForWriting(Command command);

  // One-shot helpers (see the example at the top).
  static absl::StatusOr<CommandOutput> Read(Command command,
                                            const PopenOptions& options = {});
  static absl::StatusOr<ExitStatus> Write(Command command,
                                          absl::string_view input,
                                          const PopenOptions& options = {});
  static absl::StatusOr<CommandOutput> Filter(Command command,
                                              absl::string_view input,
                                              const PopenOptions& options = {});

  Popen(Popen&&) = default;
  Popen& operator=(Popen&&) = default;

  // The command's stdout (`OpenForReading`) or stdin (`OpenForWriting`);
  // the other one is not open.
  PipeReader& output() { return child_.stdout_reader(); }
  PipeWriter& input() { return child_.stdin_writer(); }

  // pclose(): closes our end of the pipe (end-of-file for the command's
  // stdin; EPIPE for its further writes to stdout) and waits until
  // `deadline` for the command to end. `TimedOutError()` leaves it running
  // (`child()` can signal it; the destructor kills and reaps it).
  absl::StatusOr<ExitStatus> Close(Deadline deadline = Deadline::Infinite());

  Child& child() { return child_; }

 private:
  explicit Popen(Child child) : child_(std::move(child)) {}

  Child child_;
};

}  // namespace ipcbox

#endif  // IPCBOX_PROCESS_POPEN_H_
