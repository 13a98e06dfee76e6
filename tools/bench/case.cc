#include "tools/bench/case.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ipcbox::bench {

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kSameCpu:
      return "same vCPU";
    case Layout::kTwoCpus:
      return "two vCPUs";
    case Layout::kOneProcess:
      return "one process";
  }
  return "?";
}

absl::StatusOr<std::vector<Layout>> ParseLayouts(absl::string_view text) {
  std::vector<Layout> layouts;
  for (absl::string_view word :
       absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    word = absl::StripAsciiWhitespace(word);
    if (word == "same") {
      layouts.push_back(Layout::kSameCpu);
    } else if (word == "two") {
      layouts.push_back(Layout::kTwoCpus);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown layout \"", word, "\"; expected \"same\" or \"two\""));
    }
  }
  if (layouts.empty()) {
    return absl::InvalidArgumentError("no layout given; use same, two or both");
  }
  return layouts;
}

}  // namespace ipcbox::bench
