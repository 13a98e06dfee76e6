// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (mkfifo(argv[1], 0600) != 0) return 1;
  return unlink(argv[1]) == 0 ? 0 : 1;
}
