// quote.h
//
// `QuoteForMessage()` turns text that came from outside the program (an
// object name, a path, bytes a peer sent) into something safe to put in an
// error message: quoted, C-escaped and cut to a bounded length. Without it a
// name holding a newline or an escape sequence could forge log lines, and a
// megabyte-long rejected name would become a megabyte-long message.
//
// Example:
//
//   return absl::InvalidArgumentError(
//       absl::StrCat("bad name ", ipcbox::QuoteForMessage(name)));
//   // bad name "/a\nb"

#ifndef IPCBOX_CORE_QUOTE_H_
#define IPCBOX_CORE_QUOTE_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace ipcbox {

// Input longer than this is cut, and "..." follows the closing quote.
inline constexpr size_t kMaxQuotedInput = 96;

// Returns `text` in double quotes with non-printable bytes, quotes and
// backslashes escaped. Set-up and error paths only: it allocates.
std::string QuoteForMessage(absl::string_view text);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_QUOTE_H_
