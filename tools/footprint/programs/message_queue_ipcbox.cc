// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/message_queue/message_queue.h"

int main() {
  absl::StatusOr<ipcbox::MessageQueue> queue =
      ipcbox::MessageQueue::CreatePrivate(ipcbox::QueueCapacity{8, 64});
  if (!queue.ok()) return 1;
  if (!queue->Send("abc", 1).ok()) return 1;
  char buf[64];
  return queue->Receive(absl::MakeSpan(buf)).ok() ? 0 : 1;
}
