// read_small_file.h
//
// `ReadSmallFile()` reads a file a program was pointed at by a flag (a
// list of lines, a payload) whole, with a bound: a directory, or something
// endless like /dev/zero or a huge log, is a clear error instead of an
// empty result or memory that grows without limit.
//
// Example:
//
//   absl::StatusOr<std::string> text =
//       ReadSmallFile(absl::GetFlag(FLAGS_lines_file), 1 << 20);
//   if (!text.ok()) { ...print text.status(), exit 2... }

#ifndef IPCBOX_EXAMPLES_COMMON_READ_SMALL_FILE_H_
#define IPCBOX_EXAMPLES_COMMON_READ_SMALL_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox::examples {

// The contents of `path`, at most `max_bytes` of them. kInvalidArgument for
// a directory or a file longer than `max_bytes` (naming the path and the
// bound); the open or read error otherwise.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          size_t max_bytes);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_COMMON_READ_SMALL_FILE_H_
