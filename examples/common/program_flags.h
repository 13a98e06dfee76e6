// program_flags.h
//
// `ParseProgramFlags()` is `absl::ParseCommandLine()` for ipcbox's
// programs (examples and benchmarks), with what every program owes its
// user: `--help` (and `--helpshort`) prints the program's usage line and
// its own flags (those defined in ipcbox's files, not Abseil's) to stdout
// and exits 0, and a usage error (an unknown flag, a value that does not
// parse, a missing value, a negative duration) prints a clear message to
// stderr and exits 2.
//
// Example (a main()):
//
//   ABSL_FLAG(int, port, 9876, "TCP port to listen on.");
//
//   int main(int argc, char** argv) {
//     ipcbox::examples::ParseProgramFlags(
//         argc, argv, "echo_server [--port=N]: echoes what clients send.");
//     ...
//   }
//
// `--helpfull` still lists every flag, Abseil's included.

#ifndef IPCBOX_EXAMPLES_COMMON_PROGRAM_FLAGS_H_
#define IPCBOX_EXAMPLES_COMMON_PROGRAM_FLAGS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace ipcbox::examples {

// Exit code for a usage error (a flag that is unknown or does not parse).
inline constexpr int kUsageErrorExitCode = 2;

// Sets the usage message, handles --help, checks every flag, then parses
// the command line; returns the positional arguments (argv[0] first).
// Exits 0 after --help, 2 on a usage error.
std::vector<char*> ParseProgramFlags(int argc, char** argv,
                                     absl::string_view usage);

// Whether a flag defined in `filename` is one of the program's own (listed
// by --help): ipcbox's examples/, tools/ and lib/ files.
bool IsProgramFlagFile(absl::string_view filename);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_COMMON_PROGRAM_FLAGS_H_
