// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/shm/shared_memory.h"

int main() {
  absl::StatusOr<ipcbox::PosixName> name = ipcbox::PosixName::Create("/fp");
  if (!name.ok()) return 1;
  absl::StatusOr<ipcbox::SharedMemory> shm =
      ipcbox::SharedMemory::Create(*name, 4096);
  if (!shm.ok()) return 1;
  shm->mutable_bytes()[0] = 1;
  return shm->Close().ok() ? 0 : 1;
}
