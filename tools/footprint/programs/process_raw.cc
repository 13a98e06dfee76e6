// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

int main() {
  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  pid_t pid;
  if (posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ) != 0)
    return 1;
  int status;
  return waitpid(pid, &status, 0) == pid ? 0 : 1;
}
