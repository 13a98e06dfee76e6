// lock_type.h
//
// `LockType` says whether a file lock excludes everyone else or only
// writers. Any number of processes may hold shared locks on the same bytes
// at once; an exclusive lock is held by one owner, and only while nobody
// else holds any lock on those bytes. Readers take shared locks, writers
// exclusive ones:
//
//   absl::Status s = lock.Lock(LockType::kShared);  // read the file
//   ...
//   s = lock.Lock(LockType::kExclusive);            // rewrite the file
//
// Holding one type and asking for the other converts the lock. fcntl and
// OFD record locks convert atomically; flock converts by unlocking and
// locking again, so another process may get in between (README.md).

#ifndef IPCBOX_FILE_LOCK_LOCK_TYPE_H_
#define IPCBOX_FILE_LOCK_LOCK_TYPE_H_

#include <ostream>

#include "absl/strings/string_view.h"

namespace ipcbox {

enum class LockType {
  // A read lock (F_RDLCK, LOCK_SH): excludes exclusive locks only.
  kShared,
  // A write lock (F_WRLCK, LOCK_EX): excludes every other lock.
  kExclusive,
};

// "shared" or "exclusive", for messages and logs.
constexpr absl::string_view LockTypeName(LockType type) {
  return type == LockType::kShared ? "shared" : "exclusive";
}

inline std::ostream& operator<<(std::ostream& os, LockType type) {
  return os << LockTypeName(type);
}

}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_LOCK_TYPE_H_
