// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/fifo/fifo.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  absl::StatusOr<ipcbox::Fifo> fifo = ipcbox::Fifo::Create(argv[1]);
  return fifo.ok() ? 0 : 1;  // ~Fifo unlinks it
}
