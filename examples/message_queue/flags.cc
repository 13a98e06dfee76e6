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
