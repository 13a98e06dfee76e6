// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/semaphore/semaphore.h"

int main() {
  ipcbox::SemaphoreOptions options;
  options.initial_value = 1;
  absl::StatusOr<ipcbox::Semaphore> sem = ipcbox::Semaphore::Open(
      "/fp", WithOpenMode(ipcbox::OpenMode::kOpenOrCreate, options));
  if (!sem.ok()) return 1;
  if (!sem->Wait().ok()) return 1;
  return sem->Post().ok() ? 0 : 1;
}
