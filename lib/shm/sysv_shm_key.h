// sysv_shm_key.h
//
// `sysv::ShmKey` is the key_t by which processes find the same System V
// shared memory segment (shmget). There are four ways to get one, each
// checked before any system call:
//
//   - `FromPath(path, project_id)`: ftok(). Every process that names the same
//     existing file and project id gets the same key. ftok() checks neither
//     input the way callers expect: for a missing file it fails with a bare
//     errno, and it keeps only the low 8 bits of the id, so 256 means 0
//     (whose result POSIX leaves unspecified) and 259 means 3, silently. So
//     the file must exist and the id must be 1..255.
//   - `FromValue(0x1234)`: a number agreed in advance (a firmware constant).
//   - `Private()`: IPC_PRIVATE, a new segment every time that no other
//     process can find by key; related processes share it through fork()
//     (attachments are inherited) or by passing its id.
//   - `FromName(name)`: a 32-bit FNV-1a hash of a POSIX name, so that code
//     written against the generic `SharedMemory` with names builds on System
//     V too. It is the hash `sysv::SemaphoreKey::FromName` uses, so one name
//     gives one key number across mechanisms (`ipcs` shows that number).
//     Two names collide with a chance of about one in four billion per pair;
//     creating exclusively then fails with AlreadyExists rather than sharing
//     someone else's segment.
//
// Example (the seed's server and client):
//
//   absl::StatusOr<sysv::ShmKey> key = sysv::ShmKey::FromPath(
//       "/home/ljj/Linux_code/test_2022_2_15/System_V_IPC/shm", 3);
//   if (!key.ok()) return key.status();  // NotFound: the path is missing
//
// The ftok trap: the key comes from the file's inode and device numbers (16
// and 8 bits of them), not its name. A file that is deleted and created
// again between two processes' ftok() calls usually gets a new inode and so
// a new key, and the processes silently use two different segments; two
// different files can also give one key. Keep the file in place for as long
// as the key is in use, or agree on an explicit key.
//
// Copying and comparing never allocate.

#ifndef IPCBOX_SHM_SYSV_SHM_KEY_H_
#define IPCBOX_SHM_SYSV_SHM_KEY_H_

#include <sys/ipc.h>
#include <sys/types.h>

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"

namespace ipcbox::sysv {

class ShmKey {
 public:
  // ftok(path, project_id). NotFound, naming the path, if it does not exist;
  // InvalidArgument if `project_id` is outside 1..255.
  static absl::StatusOr<ShmKey> FromPath(absl::string_view path,
                                         int project_id);

  // An explicit key. InvalidArgument for 0 (IPC_PRIVATE: say `Private()`)
  // and -1 (what a failed ftok() returns).
  static absl::StatusOr<ShmKey> FromValue(key_t value);

  // IPC_PRIVATE: every shmget() with it makes a new segment.
  static constexpr ShmKey Private() { return ShmKey(IPC_PRIVATE); }

  // The FNV-1a hash of `name` described above; never IPC_PRIVATE.
  static ShmKey FromName(const PosixName& name);

  constexpr key_t value() const { return value_; }
  constexpr bool is_private() const { return value_ == IPC_PRIVATE; }

  // "key 0x00000d2f" (as `ipcs -m` prints keys) or "IPC_PRIVATE", for
  // messages. Allocates.
  std::string ToString() const;

  friend constexpr bool operator==(ShmKey a, ShmKey b) {
    return a.value_ == b.value_;
  }
  friend constexpr bool operator!=(ShmKey a, ShmKey b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, ShmKey key) {
    return os << key.ToString();
  }

 private:
  // Attach(id) reports the key the kernel has, whatever its value.
  friend class SharedMemory;

  explicit constexpr ShmKey(key_t value) : value_(value) {}

  key_t value_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_SHM_SYSV_SHM_KEY_H_
