// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/socket/socket_pair.h"

int main() {
  auto pair = ipcbox::CreateStreamSocketPair();
  if (!pair.ok()) return 1;
  if (!pair->first.SendAll("abc").ok()) return 1;
  char buf[3];
  return pair->second.ReceiveFull(absl::MakeSpan(buf)).ok() ? 0 : 1;
}
