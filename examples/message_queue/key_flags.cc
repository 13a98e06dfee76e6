#include "examples/message_queue/key_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "examples/common/octal_mode.h"
#include "examples/message_queue/mqueue.h"

ABSL_FLAG(std::string, path, ipcbox::examples::kPathName,
          "the existing file ftok() derives the key from (the seed's "
          "PathName)");
ABSL_FLAG(int, project_id, ipcbox::examples::kProjectId,
          "ftok()'s project id, 1..255 (the seed's ProjectId)");
ABSL_FLAG(ipcbox::examples::OctalMode, mode,
          ipcbox::examples::OctalMode{ipcbox::examples::kQueueMode},
          "the queue's mode if this program creates it (the seed's 0666)");
