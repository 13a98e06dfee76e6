// fifo_chat_client: the Chinese summary's chat client (client.c) on
// lib/fifo; see fifo_chat.h. Sends what is typed on standard input, until
// end of input (Ctrl-D).
//
//   $ fifo_chat_client
//   [client input]: hello
//   [client input]:

#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "examples/common/program_flags.h"
#include "examples/fifo/fifo_chat.h"

ABSL_FLAG(std::string, fifo_path, ipcbox::examples::kChatFifoPath,
          "the FIFO to write (the seed's PIPE_NAME)");
ABSL_FLAG(absl::Duration, open_timeout, absl::InfiniteDuration(),
          "how long to wait for the server (the seed waits forever)");

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "fifo_chat_client [flags]: talks to fifo_chat_server over a pair of "
      "named pipes.");
  ipcbox::examples::ChatClientOptions options;
  options.fifo_path = absl::GetFlag(FLAGS_fifo_path);
  options.open_timeout = absl::GetFlag(FLAGS_open_timeout);
  absl::Status status =
      ipcbox::examples::RunChatClient(options, STDIN_FILENO, stdout);
  if (!status.ok()) {
    std::fprintf(stderr, "fifo_chat_client: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
