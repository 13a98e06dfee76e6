// format_mode.h
//
// `FormatMode()` writes a file mode in octal the way C source does ("0640",
// "04755", "0"), for error messages about permissions:
//
//   return absl::InvalidArgumentError(
//       absl::StrCat("mode ", FormatMode(st.st_mode & 07777), " is too open"));
//
// It exists so that library code need not use absl::StrFormat("%#o"), which
// links Abseil's whole printf engine into every program that uses it.

#ifndef IPCBOX_CORE_FORMAT_MODE_H_
#define IPCBOX_CORE_FORMAT_MODE_H_

#include <sys/types.h>

#include <string>

namespace ipcbox {

std::string FormatMode(mode_t mode);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_FORMAT_MODE_H_
