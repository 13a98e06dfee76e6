// octal_mode.h
//
// `OctalMode` is a file mode as a command-line flag, written and shown in
// octal as people write modes: --mode=0666, not --mode=438.
//
//   ABSL_FLAG(ipcbox::examples::OctalMode, mode,
//             ipcbox::examples::OctalMode{0666}, "the FIFO's mode");
//   absl::StatusOr<Permissions> p =
//       Permissions::FromMode(absl::GetFlag(FLAGS_mode).mode);

#ifndef IPCBOX_EXAMPLES_FIFO_OCTAL_MODE_H_
#define IPCBOX_EXAMPLES_FIFO_OCTAL_MODE_H_

#include <sys/types.h>

#include <string>

#include "absl/strings/string_view.h"

namespace ipcbox::examples {

struct OctalMode {
  mode_t mode = 0600;
};

// Accepts octal digits only ("0666", "644"), at most 0777; the leading 0 is
// optional. Permissions::FromMode() does the real checking.
bool AbslParseFlag(absl::string_view text, OctalMode* mode, std::string* error);

// "0666".
std::string AbslUnparseFlag(OctalMode mode);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_FIFO_OCTAL_MODE_H_
