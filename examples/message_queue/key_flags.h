// key_flags.h
//
// The flags that sender and receiver share: the file and project id ftok()
// derives the queue's key from, and the mode of a queue either creates.
// Both programs must agree on them to meet, so they are defined once.
//
// Example:
//
//   config.path = absl::GetFlag(FLAGS_path);
//   config.project_id = absl::GetFlag(FLAGS_project_id);
//   config.mode = absl::GetFlag(FLAGS_mode).mode;

#ifndef IPCBOX_EXAMPLES_MESSAGE_QUEUE_KEY_FLAGS_H_
#define IPCBOX_EXAMPLES_MESSAGE_QUEUE_KEY_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "examples/common/octal_mode.h"

ABSL_DECLARE_FLAG(std::string, path);
ABSL_DECLARE_FLAG(int, project_id);
ABSL_DECLARE_FLAG(ipcbox::examples::OctalMode, mode);

#endif  // IPCBOX_EXAMPLES_MESSAGE_QUEUE_KEY_FLAGS_H_
