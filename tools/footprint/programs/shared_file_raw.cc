// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return 1;
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &fl) != 0) return 1;
  if (ftruncate(fd, 0) != 0 || pwrite(fd, "abc\n", 4, 0) != 4) return 1;
  fl.l_type = F_UNLCK;
  return fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1;
}
