#include "examples/sysv_shm/server_output.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace ipcbox::examples {
namespace {

std::string Letters(int count) {
  std::string letters;
  for (int i = 0; i < count; ++i) {
    letters.push_back(static_cast<char>('A' + i % 26));
  }
  return letters;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseServerOutput(
    absl::string_view output, int rounds) {
  if (!absl::EndsWith(output, "\n")) {
    return absl::InternalError(
        absl::StrCat("the output does not end with a newline: \"",
                     absl::CEscape(output), "\""));
  }
  output.remove_suffix(1);
  std::vector<std::string> texts;
  size_t previous = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!absl::ConsumePrefix(&line, "server:")) {
      return absl::InternalError(absl::StrCat(
          "line \"", absl::CEscape(line), "\" does not start with server:"));
    }
    if (line != Letters(static_cast<int>(line.size()))) {
      return absl::InternalError(absl::StrCat(
          "\"", absl::CEscape(line), "\" is not what the client writes"));
    }
    if (line.size() < previous) {
      return absl::InternalError(
          absl::StrCat("\"", line, "\" is shorter than the line before it"));
    }
    previous = line.size();
    texts.emplace_back(line);
  }
  if (static_cast<int>(texts.size()) != rounds) {
    return absl::InternalError(absl::StrCat("the server printed ", texts.size(),
                                            " lines, not ", rounds));
  }
  return texts;
}

std::string LockstepServerOutput(int rounds) {
  std::string output;
  for (int round = 0; round < rounds; ++round) {
    absl::StrAppend(&output, "server:", Letters(round), "\n");
  }
  return output;
}

}  // namespace ipcbox::examples
