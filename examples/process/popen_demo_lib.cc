#include "examples/process/popen_demo_lib.h"

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/popen.h"
#include "ipcbox/process/spawn.h"

namespace ipcbox::examples {
namespace {

Stdio OutputTo(int output_fd) {
  return output_fd == STDOUT_FILENO ? Stdio::Inherit() : Stdio::Fd(output_fd);
}

std::string Text(absl::Span<const absl::string_view> lines) {
  std::string text = absl::StrJoin(lines, "\n");
  if (!lines.empty()) text += "\n";
  return text;
}

// A command that did not read its input (EPIPE: a shell that could not find
// it, say) is best explained by its exit status; a write error only matters
// if the command claims success.
absl::StatusOr<ExitStatus> Outcome(const absl::Status& written,
                                   absl::StatusOr<ExitStatus> status) {
  if (status.ok() && status->success() && !written.ok()) return written;
  return status;
}

// ALP's popen listing: popen("sort", "w"), fprintf each line, pclose.
absl::StatusOr<ExitStatus> ThroughPopen(absl::string_view command_line,
                                        const std::string& text,
                                        int output_fd) {
  Command command = Command::Shell(command_line);
  command.SetStdout(OutputTo(output_fd));
  absl::StatusOr<Popen> sort = Popen::OpenForWriting(std::move(command));
  if (!sort.ok()) return sort.status();
  const absl::Status written = sort->input().WriteAll(text);
  // pclose: end-of-file for sort, then its status.
  return Outcome(written, sort->Close());
}

// ALP's dup2 listing: a pipe whose read end becomes sort's stdin.
absl::StatusOr<ExitStatus> ThroughDup2(absl::string_view command_line,
                                       const std::string& text, int output_fd) {
  Command command(absl::StrSplit(command_line, ' ', absl::SkipEmpty()));
  command.SetStdin(Stdio::Pipe()).SetStdout(OutputTo(output_fd));
  absl::StatusOr<Child> sort = Spawn(command);
  if (!sort.ok()) return sort.status();
  const absl::Status written = sort->stdin_writer().WriteAll(text);
  (void)sort->stdin_writer().Close();  // end-of-file: sort prints and exits
  return Outcome(written, sort->Wait());
}

}  // namespace

absl::StatusOr<PopenDemoMode> ParsePopenDemoMode(absl::string_view text) {
  if (text == "popen") return PopenDemoMode::kPopen;
  if (text == "dup2") return PopenDemoMode::kDup2;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown mode \"", text, "\": expected popen or dup2"));
}

absl::StatusOr<ExitStatus> RunPopenDemo(
    PopenDemoMode mode, absl::string_view command,
    absl::Span<const absl::string_view> lines, int output_fd) {
  const std::string text = Text(lines);
  return mode == PopenDemoMode::kPopen ? ThroughPopen(command, text, output_fd)
                                       : ThroughDup2(command, text, output_fd);
}

}  // namespace ipcbox::examples
