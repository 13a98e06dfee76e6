// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// An echo server over poll(), as ConcurrentServer with EchoHandler is.
int main(int argc, char** argv) {
  if (argc < 2) return 2;
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener < 0 ||
      bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 16) != 0) {
    return 1;
  }
  pollfd fds[64] = {{listener, POLLIN, 0}};
  int n = 1;
  for (;;) {
    if (poll(fds, n, -1) < 0) return 1;
    for (int i = n - 1; i >= 0; --i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (i == 0) {
        int c =
            accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c >= 0 && n < 64) fds[n++] = {c, POLLIN, 0};
        continue;
      }
      char buf[4096];
      ssize_t got = read(fds[i].fd, buf, sizeof(buf));
      if (got <= 0 || send(fds[i].fd, buf, got, MSG_NOSIGNAL) != got) {
        close(fds[i].fd);
        fds[i] = fds[--n];
      }
    }
  }
}
