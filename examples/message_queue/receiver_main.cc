// receiver: the seed's message receiver on sysv::MessageQueue; see
// mqueue.h. Run it after `sender` (or the seed's sender), from the same
// directory: it takes the messages by type and removes the queue.

#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "examples/common/octal_mode.h"
#include "examples/common/program_flags.h"
#include "examples/message_queue/flags.h"
#include "examples/message_queue/key_flags.h"
#include "examples/message_queue/mqueue.h"

using ipcbox::examples::MessageTypes;

ABSL_FLAG(MessageTypes, types,
          MessageTypes{ipcbox::examples::ReceiverConfig().types},
          "msgrcv()'s msgtyp for each receive: > 0 that type, 0 any, < 0 "
          "the lowest type up to its absolute value");
ABSL_FLAG(bool, nowait, true,
          "receive without blocking (IPC_NOWAIT), as the seed");
ABSL_FLAG(bool, remove, true, "remove the queue at the end, as the seed");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "receiver [flags]: receives sender's messages from a message queue.");
  ipcbox::examples::ReceiverConfig config;
  config.path = absl::GetFlag(FLAGS_path);
  config.project_id = absl::GetFlag(FLAGS_project_id);
  config.types = absl::GetFlag(FLAGS_types).types;
  config.mode = absl::GetFlag(FLAGS_mode).mode;
  config.nowait = absl::GetFlag(FLAGS_nowait);
  config.remove = absl::GetFlag(FLAGS_remove);
  return ipcbox::examples::RunReceiver(config, std::cout, std::cerr);
}
