#include "ipcbox/core/quote.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

std::string QuoteForMessage(absl::string_view text) {
  const bool cut = text.size() > kMaxQuotedInput;
  if (cut) text = text.substr(0, kMaxQuotedInput);
  return absl::StrCat("\"", absl::CHexEscape(text), "\"", cut ? "..." : "");
}

}  // namespace ipcbox
