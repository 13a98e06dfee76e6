// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <fcntl.h>
#include <semaphore.h>

int main() {
  sem_t* sem = sem_open("/fp", O_CREAT, 0600, 1);
  if (sem == SEM_FAILED) return 1;
  if (sem_wait(sem) != 0) return 1;
  return sem_post(sem) == 0 ? 0 : 1;
}
