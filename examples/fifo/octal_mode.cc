#include "examples/fifo/octal_mode.h"

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

bool AbslParseFlag(absl::string_view text, OctalMode* mode,
                   std::string* error) {
  if (text.empty() || text.size() > 4) {
    *error = "expected an octal mode such as 0666";
    return false;
  }
  mode_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '7') {
      *error = "expected octal digits (0-7), such as 0666";
      return false;
    }
    value = value * 8 + static_cast<mode_t>(c - '0');
  }
  if (value > 0777) {
    *error = "a mode above 0777 (setuid, setgid or sticky bits) is refused";
    return false;
  }
  mode->mode = value;
  return true;
}

std::string AbslUnparseFlag(OctalMode mode) {
  return absl::StrFormat("%04o", mode.mode);
}

}  // namespace ipcbox::examples
