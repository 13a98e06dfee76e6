// octal_mode.h
//
// File modes as people write them on a command line: --mode=0666, not
// --mode=438. The seeds' programs create their objects with fixed modes
// (0644, 0666); the ported examples take those as flags with these helpers.
//
//   ABSL_FLAG(ipcbox::examples::OctalMode, mode,
//             ipcbox::examples::OctalMode{0666}, "the FIFO's mode");
//   absl::StatusOr<Permissions> p =
//       Permissions::FromMode(absl::GetFlag(FLAGS_mode).mode);
//
//   absl::StatusOr<mode_t> mode = ParseOctalMode("0644");

#ifndef IPCBOX_EXAMPLES_COMMON_OCTAL_MODE_H_
#define IPCBOX_EXAMPLES_COMMON_OCTAL_MODE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

// One to four octal digits ("0666", "644"), at most 0777: setuid, setgid
// and sticky bits are refused. kInvalidArgument names the text otherwise.
absl::StatusOr<mode_t> ParseOctalMode(absl::string_view text);

// A mode as an absl flag type.
struct OctalMode {
  mode_t mode = 0600;
};

bool AbslParseFlag(absl::string_view text, OctalMode* mode, std::string* error);

// "0666".
std::string AbslUnparseFlag(OctalMode mode);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_COMMON_OCTAL_MODE_H_
