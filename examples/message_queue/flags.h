// flags.h
//
// Flag types shared by the sender and receiver binaries: a file mode in
// octal ("0666") and a list of message types ("1,1,2").

#ifndef IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_
#define IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipcbox::examples {

struct QueueMode {
  mode_t mode;
};
bool AbslParseFlag(absl::string_view text, QueueMode* mode, std::string* error);
std::string AbslUnparseFlag(QueueMode mode);

struct MessageTypes {
  std::vector<long> types;
};
bool AbslParseFlag(absl::string_view text, MessageTypes* types,
                   std::string* error);
std::string AbslUnparseFlag(const MessageTypes& types);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_MESSAGE_QUEUE_FLAGS_H_
