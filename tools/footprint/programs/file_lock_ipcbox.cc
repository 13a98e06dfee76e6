// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/file_lock/file_lock.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  absl::StatusOr<ipcbox::FileLock> lock = ipcbox::FileLock::Open(argv[1]);
  if (!lock.ok()) return 1;
  if (!lock->Lock(ipcbox::LockType::kExclusive).ok()) return 1;
  return lock->Unlock().ok() ? 0 : 1;
}
