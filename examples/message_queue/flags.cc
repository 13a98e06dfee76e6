#include "examples/message_queue/flags.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

bool AbslParseFlag(absl::string_view text, QueueMode* mode,
                   std::string* error) {
  unsigned value = 0;
  if (text.empty() || text.size() > 4) {
    *error = "expected an octal mode such as 0666";
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '7') {
      *error = "expected an octal mode such as 0666";
      return false;
    }
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  mode->mode = static_cast<mode_t>(value);
  return true;
}

std::string AbslUnparseFlag(QueueMode mode) {
  return absl::StrFormat("0%o", static_cast<unsigned>(mode.mode));
}

bool AbslParseFlag(absl::string_view text, MessageTypes* types,
                   std::string* error) {
  std::vector<long> parsed;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    long type;
    if (!absl::SimpleAtoi(item, &type)) {
      *error = absl::StrFormat("\"%s\" is not a message type", item);
      return false;
    }
    parsed.push_back(type);
  }
  types->types = std::move(parsed);
  return true;
}

std::string AbslUnparseFlag(const MessageTypes& types) {
  return absl::StrJoin(types.types, ",");
}

}  // namespace ipcbox::examples
