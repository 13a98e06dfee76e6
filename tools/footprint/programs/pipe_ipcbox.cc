// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/pipe/pipe.h"

int main() {
  absl::StatusOr<ipcbox::Pipe> pipe = ipcbox::CreatePipe();
  if (!pipe.ok()) return 1;
  return pipe->writer.WriteAll("abc").ok() ? 0 : 1;
}
