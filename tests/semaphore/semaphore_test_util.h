// Helpers shared by the lib/semaphore tests: memory shared with forked
// children, guards that remove what a test created even when it fails, a
// monotonic stopwatch, and bounded polling.

#ifndef IPCBOX_TESTS_SEMAPHORE_SEMAPHORE_TEST_UTIL_H_
#define IPCBOX_TESTS_SEMAPHORE_SEMAPHORE_TEST_UTIL_H_

#include <semaphore.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <time.h>

#include <cstdlib>
#include <new>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ipcbox/core/sysv_key.h"
#include "tests/support/scoped_removal.h"
#include "tests/support/stopwatch.h"

namespace ipcbox::testing {

// A `T` in an anonymous shared mapping: a forked child sees the parent's
// writes and the other way round. Use atomics (or a semaphore) for fields
// two processes touch at once.
template <typename T>
class SharedBlock {
 public:
  SharedBlock() {
    void* p = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    value_ = new (p) T();
  }
  ~SharedBlock() { ::munmap(value_, sizeof(T)); }
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;

  T* operator->() { return value_; }
  T& operator*() { return *value_; }
  T* get() { return value_; }

 private:
  T* value_;
};

// Unlinks a POSIX named semaphore when it goes out of scope, whoever
// created it, so that a failing test leaves nothing in /dev/shm.
using ScopedSemUnlink = ScopedRemoval<::sem_unlink>;

// Removes the System V set that has `key`, if any, when it goes out of
// scope.
class ScopedSysvRemove {
 public:
  explicit ScopedSysvRemove(sysv::IpcKey key) : key_(key) {}
  ~ScopedSysvRemove() {
    const int id = ::semget(key_.value(), 0, 0);
    if (id >= 0) ::semctl(id, 0, IPC_RMID);
  }
  ScopedSysvRemove(const ScopedSysvRemove&) = delete;
  ScopedSysvRemove& operator=(const ScopedSysvRemove&) = delete;

 private:
  sysv::IpcKey key_;
};

// Calls `done()` until it returns true or `timeout` passes; returns its
// last answer. For "the child is now blocked" conditions.
inline bool PollUntil(absl::FunctionRef<bool()> done,
                      absl::Duration timeout = absl::Seconds(30)) {
  Stopwatch watch;
  while (!done()) {
    if (watch.Elapsed() > timeout) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SEMAPHORE_SEMAPHORE_TEST_UTIL_H_
