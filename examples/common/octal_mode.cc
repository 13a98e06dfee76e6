#include "examples/common/octal_mode.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ipcbox::examples {

absl::StatusOr<mode_t> ParseOctalMode(absl::string_view text) {
  const auto refuse = [text](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("mode \"", text, "\" ", why));
  };
  if (text.empty() || text.size() > 4)
    return refuse("is not 1 to 4 octal digits, such as 0666");
  mode_t mode = 0;
  for (const char c : text) {
    if (c < '0' || c > '7')
      return refuse("has a digit that is not octal (0-7)");
    mode = mode * 8 + static_cast<mode_t>(c - '0');
  }
  if (mode > 0777)
    return refuse("is above 0777: setuid, setgid and sticky bits are refused");
  return mode;
}

bool AbslParseFlag(absl::string_view text, OctalMode* mode,
                   std::string* error) {
  absl::StatusOr<mode_t> parsed = ParseOctalMode(text);
  if (!parsed.ok()) {
    *error = std::string(parsed.status().message());
    return false;
  }
  mode->mode = *parsed;
  return true;
}

std::string AbslUnparseFlag(OctalMode mode) {
  return absl::StrFormat("%04o", mode.mode);
}

}  // namespace ipcbox::examples
