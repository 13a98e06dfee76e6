// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <sys/socket.h>

int main() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 1;
  if (send(fds[0], "abc", 3, MSG_NOSIGNAL) != 3) return 1;
  char buf[3];
  return recv(fds[1], buf, 3, MSG_WAITALL) == 3 ? 0 : 1;
}
