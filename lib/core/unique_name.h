// unique_name.h
//
// Names for IPC objects and files that no other process will pick: tests run
// in parallel (several test binaries, several shards, several checkouts on
// one machine) and all share /dev/shm, the mqueue file system and /tmp. A
// name holds the pid, which separates live processes, and 64 random bits,
// which separate processes in different pid namespaces and a process from a
// dead one that had the same pid and left an object behind.
//
// Example:
//
//   std::string name = UniqueName("shm_test");  // "/shm_test.4242.9f3c0d..."
//   absl::StatusOr<PosixName> posix_name = PosixName::Create(name);
//
//   std::string fifo = UniqueTempPath("fifo_test");
//   // "$TEST_TMPDIR/fifo_test.4242.0b71e2..." or "/tmp/fifo_test..."
//
// These allocate and seed a random generator per call: set-up code only.

#ifndef IPCBOX_CORE_UNIQUE_NAME_H_
#define IPCBOX_CORE_UNIQUE_NAME_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ipcbox {

// Returns "/<prefix>.<pid>.<16 hex digits>", a valid `PosixName` short
// enough for sem_open too (`kMaxSemaphoreNameLength`). Characters of
// `prefix` that a name cannot hold ('/' and NUL) become '_', and a long
// prefix is cut to fit. An empty prefix becomes "ipcbox".
std::string UniqueName(absl::string_view prefix);

// Returns "<dir>/<prefix>.<pid>.<16 hex digits>" where <dir> is
// $TEST_TMPDIR when set and non-empty (Bazel sets it per test and removes
// it afterwards), else "/tmp". `prefix` is cleaned up as for `UniqueName()`.
// Nothing is created. Caveat for unix sockets: sun_path holds only 107
// bytes, and a Bazel $TEST_TMPDIR alone can be longer; check the length.
std::string UniqueTempPath(absl::string_view prefix);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_UNIQUE_NAME_H_
