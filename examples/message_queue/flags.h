// flags.h
//
// The flag type the sender and receiver binaries share for a list of
// message types ("1,1,2"). Modes use examples/common/octal_mode.h.
//
// Example (the sender's flag; --types=3,1 on the command line):
//
//   ABSL_FLAG(MessageTypes, types, MessageTypes{{1, 1, 2, 2, 3, 3}},
//             "the type of each message, each > 0");
//   std::vector<long> types = absl::GetFlag(FLAGS_types).types;  // {3, 1}

#ifndef IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_
#define IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipcbox::examples {

struct MessageTypes {
  std::vector<long> types;
};
bool AbslParseFlag(absl::string_view text, MessageTypes* types,
                   std::string* error);
std::string AbslUnparseFlag(const MessageTypes& types);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_
