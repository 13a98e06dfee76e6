// fifo_chat_server: the Chinese summary's chat server (server.c) on
// lib/fifo; see fifo_chat.h.
//
//   $ fifo_chat_server
//   server receive]: hello
//   ******* client end *******

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/common/octal_mode.h"
#include "examples/common/program_flags.h"
#include "examples/fifo/fifo_chat.h"
#include "ipcbox/core/permissions.h"

using ipcbox::examples::OctalMode;

ABSL_FLAG(std::string, fifo_path, ipcbox::examples::kChatFifoPath,
          "the FIFO to create and read (the seed's PIPE_NAME)");
ABSL_FLAG(OctalMode, mode, OctalMode{ipcbox::examples::kChatFifoMode},
          "the FIFO's mode if this server creates it, exact whatever the "
          "umask (the seed: umask(0), then mkfifo 0664)");
ABSL_FLAG(absl::Duration, open_timeout, absl::InfiniteDuration(),
          "how long to wait for a client (the seed waits forever)");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "fifo_chat_server [flags]: answers fifo_chat_client over a pair of named "
      "pipes.");
  absl::StatusOr<ipcbox::Permissions> permissions =
      ipcbox::Permissions::FromMode(absl::GetFlag(FLAGS_mode).mode);
  if (!permissions.ok()) {
    std::fprintf(stderr, "fifo_chat_server: %s\n",
                 permissions.status().ToString().c_str());
    return 2;
  }
  ipcbox::examples::ChatServerOptions options;
  options.fifo_path = absl::GetFlag(FLAGS_fifo_path);
  options.permissions = *permissions;
  options.open_timeout = absl::GetFlag(FLAGS_open_timeout);
  absl::Status status = ipcbox::examples::RunChatServer(options, stdout);
  if (!status.ok()) {
    std::fprintf(stderr, "fifo_chat_server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
