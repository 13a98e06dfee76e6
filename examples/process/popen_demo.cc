// popen_demo: ALP chapter 5's dup2/popen pattern (the seed summary's
// "Pipes" section) on lib/process: lines of text go to `sort` through a pipe
// connected to its standard input, and sort prints them in order.
//
//   $ popen_demo
//   Hello, world.
//   My dog has fleas.
//   One fish, two fish.
//   This is a test.
//   This program is great.
//
//   $ popen_demo --mode=dup2 --command="sort -r"
//   $ popen_demo --lines_file=names.txt
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "examples/common/program_flags.h"
#include "examples/common/read_small_file.h"
#include "examples/process/popen_demo_lib.h"

ABSL_FLAG(std::string, mode, "popen",
          "popen: popen(\"sort\", \"w\")/pclose through /bin/sh; dup2: a pipe "
          "dup2()ed onto sort's stdin, no shell.");
ABSL_FLAG(std::string, command, "sort", "The command the lines are sent to.");
ABSL_FLAG(std::string, lines_file, "",
          "A file (at most 1 MiB) whose lines to send instead of the ALP "
          "listing's five.");

namespace {

// --lines_file is read whole; more than this is refused (/dev/zero would
// otherwise grow memory without bound).
constexpr size_t kMaxLinesFileBytes = size_t{1} << 20;

int Fail(const std::string& message) {
  std::fprintf(stderr, "popen_demo: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(argc, argv,
                                      "popen_demo [flags]: runs a command "
                                      "through a pipe and reads its output.");
  absl::StatusOr<ipcbox::examples::PopenDemoMode> mode =
      ipcbox::examples::ParsePopenDemoMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) return Fail(mode.status().ToString());

  std::vector<absl::string_view> lines(std::begin(ipcbox::examples::kAlpLines),
                                       std::end(ipcbox::examples::kAlpLines));
  std::string file_text;
  if (!absl::GetFlag(FLAGS_lines_file).empty()) {
    absl::StatusOr<std::string> text = ipcbox::examples::ReadSmallFile(
        absl::GetFlag(FLAGS_lines_file), kMaxLinesFileBytes);
    if (!text.ok()) {
      Fail("--lines_file: " + text.status().ToString());
      return 2;
    }
    file_text = *std::move(text);
    lines = absl::StrSplit(file_text, '\n', absl::SkipEmpty());
  }

  absl::StatusOr<ipcbox::ExitStatus> status = ipcbox::examples::RunPopenDemo(
      *mode, absl::GetFlag(FLAGS_command), lines, STDOUT_FILENO);
  if (!status.ok()) return Fail(status.status().ToString());
  if (!status->success()) {
    return Fail(absl::GetFlag(FLAGS_command) + " " + status->ToString());
  }
  return 0;
}
