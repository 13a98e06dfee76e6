// popen_demo_lib.h
//
// The ALP chapter 5 pattern the seed summary describes ("set up one end of
// the pipe as [a child's] standard input ... use the dup2 call. The use of
// pipes can also be simplified with the popen and pclose functions"), as a
// function: a parent sends lines of text to `sort` through a pipe connected
// to sort's standard input, and sort prints them in order.
//
//   absl::StatusOr<ExitStatus> status =
//       RunPopenDemo(PopenDemoMode::kPopen, "sort", kAlpLines, STDOUT_FILENO);
//
// Both of ALP's ways are here:
//   - kPopen: popen("sort", "w") / fprintf / pclose, i.e. `Popen` on
//     `Command::Shell("sort")`: the command runs through /bin/sh -c, as
//     popen() runs it.
//   - kDup2: pipe / fork / dup2(fds[0], STDIN_FILENO) / exec("sort"), i.e.
//     `Spawn` with `Stdio::Pipe()` for stdin: posix_spawn's file action does
//     the dup2 in the child, and no shell is involved.
// Sort's standard output is `output_fd` (the parent's stdout for the
// program), so its lines appear as the ALP listing shows them:
//
//   Hello, world.
//   My dog has fleas.
//   One fish, two fish.
//   This is a test.
//   This program is great.

#ifndef IPCBOX_EXAMPLES_PROCESS_POPEN_DEMO_LIB_H_
#define IPCBOX_EXAMPLES_PROCESS_POPEN_DEMO_LIB_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox::examples {

// The lines ALP's dup2 and popen listings write to sort, in their order.
inline constexpr absl::string_view kAlpLines[] = {
    "This is a test.",        "Hello, world.",       "My dog has fleas.",
    "This program is great.", "One fish, two fish.",
};

enum class PopenDemoMode { kPopen, kDup2 };

// Parses "popen" or "dup2".
absl::StatusOr<PopenDemoMode> ParsePopenDemoMode(absl::string_view text);

// Starts `command` (argv[0] and arguments separated by spaces for kDup2, a
// shell command line for kPopen) with its stdin a pipe and its stdout
// `output_fd`, writes `lines` to it one per line, closes the pipe and waits
// for it. Returns how it ended.
absl::StatusOr<ExitStatus> RunPopenDemo(
    PopenDemoMode mode, absl::string_view command,
    absl::Span<const absl::string_view> lines, int output_fd);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PROCESS_POPEN_DEMO_LIB_H_
