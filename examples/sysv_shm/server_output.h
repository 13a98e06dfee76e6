// server_output.h
//
// Checks a sysv_shm_server transcript against what the seed's server prints
// when a client runs alongside: one "server:<text>" line per round, each
// text a prefix of "ABCDEFGHIJ..." (the client's letters so far), never
// shorter than the line before.
//
// Example:
//
//   absl::StatusOr<std::vector<std::string>> texts =
//       ParseServerOutput("server:\nserver:A\nserver:AB\n", /*rounds=*/3);
//   // {"", "A", "AB"}: the same as LockstepServerOutput(3) gives
//   if (!texts.ok()) ...  // InternalError: which line is out of shape

#ifndef IPCBOX_EXAMPLES_SYSV_SHM_SERVER_OUTPUT_H_
#define IPCBOX_EXAMPLES_SYSV_SHM_SERVER_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

// The texts after "server:", one per line, if `output` has that shape and
// `rounds` lines; InternalError saying what differs otherwise.
absl::StatusOr<std::vector<std::string>> ParseServerOutput(
    absl::string_view output, int rounds);

// The exact transcript when each round's letter lands between two server
// lines, which is what the seed's timing aims at: "server:\n",
// "server:A\n", ..., with `rounds` lines.
std::string LockstepServerOutput(int rounds);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SYSV_SHM_SERVER_OUTPUT_H_
