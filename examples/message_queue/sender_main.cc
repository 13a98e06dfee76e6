// sender: the seed's message sender on sysv::MessageQueue; see mqueue.h.
// Run it, then `receiver`, from a directory holding queue.h (the seed's
// ftok() file); either may be the seed's own C program.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "examples/common/octal_mode.h"
#include "examples/common/program_flags.h"
#include "examples/message_queue/flags.h"
#include "examples/message_queue/key_flags.h"
#include "examples/message_queue/mqueue.h"

using ipcbox::examples::MessageTypes;

ABSL_FLAG(std::vector<std::string>, payloads,
          ipcbox::examples::SenderConfig().payloads,
          "the messages, at most MsgLen (4) bytes each");
ABSL_FLAG(MessageTypes, types,
          MessageTypes{ipcbox::examples::SenderConfig().types},
          "the type of each message, each > 0");
ABSL_FLAG(bool, nowait, true,
          "send without blocking (IPC_NOWAIT), as the seed; a full queue "
          "is then an error");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "sender [flags]: sends messages into a message queue, for receiver.");
  ipcbox::examples::SenderConfig config;
  config.path = absl::GetFlag(FLAGS_path);
  config.project_id = absl::GetFlag(FLAGS_project_id);
  config.payloads = absl::GetFlag(FLAGS_payloads);
  config.types = absl::GetFlag(FLAGS_types).types;
  config.mode = absl::GetFlag(FLAGS_mode).mode;
  config.nowait = absl::GetFlag(FLAGS_nowait);
  return ipcbox::examples::RunSender(config, std::cout, std::cerr);
}
