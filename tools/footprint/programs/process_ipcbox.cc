// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/process/command.h"
#include "ipcbox/process/spawn.h"

int main() {
  ipcbox::Command command({"true"});
  absl::StatusOr<ipcbox::Child> child = ipcbox::Spawn(command);
  if (!child.ok()) return 1;
  return child->Wait().ok() ? 0 : 1;
}
