// A check that a test binary removed every System V IPC object it created.
// Linking //tests/support:ipc_leak_check into a GoogleTest binary registers a
// global test environment; when the variable IPCBOX_IPC_LEAK_CHECK is "1" it
// lists the shared memory segments, semaphore sets and message queues of the
// process's IPC namespace (/proc/sysvipc/{shm,sem,msg}) before the first test
// and again after the last one, and records a failure naming the key, id and
// (for shared memory) creator pid of each object that appeared in between
// and is still there:
//
//   cc_test(
//       name = "sysv_test",
//       srcs = ["sysv_test.cc"],
//       deps = ["//tests/support:ipc_leak_check", ...],
//   )
//
// The check itself can be used inside a test too:
//
//   ipcbox::testing::IpcLeakCheck check;  // Records what exists now.
//   RunCodeThatCreatesAndRemovesQueues();
//   check.ExpectNoneLeft();  // ADD_FAILURE for each object left behind.
//
// Why it exists: System V objects are not files. Nothing removes them when
// their creator exits, so a test that forgets one (or fails before removing
// it) leaves it in the kernel until reboot. Looking from outside (ipcs before
// and after a whole `bazel test`) does not work, because Bazel's
// linux-sandbox runs each test in an IPC namespace of its own, whose objects
// vanish with it: only a check inside the namespace sees them.
//
// Why it is off unless IPCBOX_IPC_LEAK_CHECK=1: the check counts every
// object that appears in the namespace during the run, whoever made it. In a
// namespace shared with other processes (a test run outside the sandbox, with
// --spawn_strategy=local, or by hand while other tests run), their objects
// would be blamed on this binary. The variable states that the namespace is
// this test's alone; .bazelrc sets it for `bazel test`, whose linux-sandbox
// gives each test its own (verified: a sandboxed test sees a different
// /proc/self/ns/ipc and none of the host's objects). So a target tagged
// no-sandbox must not link this library.
//
// Shared memory segments already removed but still attached somewhere
// (IPC_RMID while mapped, SHM_DEST) are not reported: they go with their last
// mapping.

#ifndef IPCBOX_TESTS_SUPPORT_IPC_LEAK_CHECK_H_
#define IPCBOX_TESTS_SUPPORT_IPC_LEAK_CHECK_H_

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ipcbox::testing {

// One System V IPC object, as /proc/sysvipc lists it.
struct SysvIpcObject {
  enum class Kind { kSharedMemory, kSemaphoreSet, kMessageQueue };

  Kind kind = Kind::kSharedMemory;
  int id = -1;
  key_t key = 0;  // 0 is IPC_PRIVATE.
  // Permission bits, plus SHM_DEST and SHM_LOCKED for shared memory.
  unsigned mode = 0;
  // Bytes of a segment, semaphores in a set, messages in a queue.
  uint64_t size = 0;
  // Shared memory only: the kernel records no creator pid for the others.
  pid_t creator_pid = 0;
  // Message queues only: the last sender (0 if none), the best hint there is.
  pid_t last_sender_pid = 0;

  // True for a segment removed (IPC_RMID) while still attached.
  bool removed_but_attached() const;

  // E.g. "System V shared memory segment id 32769, key 0x0001e240, 4096
  // bytes, created by pid 4242 (remove with: ipcrm -m 32769)".
  std::string Describe() const;
};

// The System V objects of the calling process's IPC namespace.
// kUnavailable if /proc/sysvipc cannot be read (a kernel without
// CONFIG_SYSVIPC, no /proc).
absl::StatusOr<std::vector<SysvIpcObject>> ListSysvIpcObjects();

// Remembers the objects that exist when constructed; reports those created
// later that still exist.
class IpcLeakCheck {
 public:
  // Lists the objects that exist now. A failure to list them is recorded
  // (ADD_FAILURE) and makes the later calls report that instead.
  IpcLeakCheck();

  // Objects that exist now and did not at construction (removed-but-attached
  // segments excluded).
  absl::StatusOr<std::vector<SysvIpcObject>> CreatedSince() const;

  // Records a failure (ADD_FAILURE) for each object CreatedSince() returns.
  void ExpectNoneLeft() const;

 private:
  absl::Status before_status_;
  std::set<std::pair<SysvIpcObject::Kind, int>> before_;
};

// True when the environment asks for the check (IPCBOX_IPC_LEAK_CHECK=1).
bool IpcLeakCheckRequested();

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_IPC_LEAK_CHECK_H_
