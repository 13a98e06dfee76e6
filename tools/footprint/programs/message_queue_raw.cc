// A footprint program (tools/footprint): what *_ipcbox.cc does, with raw
// system calls, as the baseline the table subtracts.
#include <fcntl.h>
#include <mqueue.h>

int main() {
  struct mq_attr attr = {};
  attr.mq_maxmsg = 8;
  attr.mq_msgsize = 64;
  mqd_t q = mq_open("/fp", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
  if (q == static_cast<mqd_t>(-1)) return 1;
  mq_unlink("/fp");
  if (mq_send(q, "abc", 3, 1) != 0) return 1;
  char buf[64];
  return mq_receive(q, buf, sizeof(buf), nullptr) >= 0 ? 0 : 1;
}
