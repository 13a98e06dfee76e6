// fifo_chat.h
//
// The chat over a named pipe from the Chinese summary of pipes and System V
// IPC (section 1.5, "命名管道的使用": client.c, server.c, common.h), on
// lib/fifo. The server creates the FIFO "fifo" (mode 0664, which the seed
// gets by calling umask(0) first), opens it for reading and prints what
// arrives; the client opens it for writing and sends each line typed on
// its standard input:
//
//   $ fifo_chat_server                $ fifo_chat_client
//   server receive]: hello            [client input]: hello
//   server receive]: bye              [client input]: bye
//   ******* client end *******        [client input]: ^D
//
// Example (each side in its own process, as the binaries do):
//
//   absl::Status served = RunChatServer(ChatServerOptions(), stdout);
//
//   absl::Status sent =
//       RunChatClient(ChatClientOptions(), STDIN_FILENO, stdout);
//
// The lines are the seed's, byte for byte (the server's "server receive]: "
// lacks its opening bracket in the seed too), and so are the FIFO's name,
// its mode and the buffer sizes (the client reads up to 64 bytes at a time,
// the server up to 63 and prints them as a C string, i.e. up to a NUL), so
// either program talks to the other's C original.
//
// Differences from the C originals: end of input ends the client normally
// (the C client reports "client read error" with errno 0 and exits 2), which
// closes the FIFO so that the server prints its "client end" line and
// exits; a FIFO already at the path is used instead of failing mkfifo (the C
// server never removes its FIFO, so its second run always failed), and the
// server removes the FIFO on exit if it created it; a regular file or a
// symbolic link at the path is refused; and a server that goes away gives
// the client an error instead of a SIGPIPE death.

#ifndef IPCBOX_EXAMPLES_FIFO_FIFO_CHAT_H_
#define IPCBOX_EXAMPLES_FIFO_FIFO_CHAT_H_

#include <cstddef>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox::examples {

// common.h's PIPE_NAME, and the server's mkfifo mode.
inline constexpr char kChatFifoPath[] = "fifo";
inline constexpr mode_t kChatFifoMode = 0664;
// Both programs' `char buf[64]`.
inline constexpr size_t kChatBufferSize = 64;

inline constexpr char kChatServerPrefix[] = "server receive]: ";
inline constexpr char kChatClientEnd[] = "******* client end *******\n";
inline constexpr char kChatClientPrompt[] = "[client input]: ";

struct ChatServerOptions {
  std::string fifo_path = kChatFifoPath;
  Permissions permissions = *Permissions::FromMode(kChatFifoMode);
  // How long to wait for a client; infinite, as the seed's blocking open.
  absl::Duration open_timeout = absl::InfiniteDuration();
};

// Runs the server until the client closes the FIFO, printing to `out` (and
// flushing after each line, so a peer watching a pipe sees it at once).
absl::Status RunChatServer(const ChatServerOptions& options, std::FILE* out);

struct ChatClientOptions {
  std::string fifo_path = kChatFifoPath;
  // How long to wait for the server; infinite, as the seed's blocking open.
  absl::Duration open_timeout = absl::InfiniteDuration();
};

// Runs the client until end of input on `input_fd`, prompting on `out`.
absl::Status RunChatClient(const ChatClientOptions& options, int input_fd,
                           std::FILE* out);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_FIFO_FIFO_CHAT_H_
