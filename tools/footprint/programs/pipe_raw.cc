// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <fcntl.h>
#include <unistd.h>

int main() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return 1;
  return write(fds[1], "abc", 3) == 3 ? 0 : 1;
}
