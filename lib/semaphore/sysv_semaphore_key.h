// sysv_semaphore_key.h
//
// `sysv::SemaphoreKey` is the key_t by which unrelated processes find the
// same System V semaphore set. There are four ways to get one:
//
//   - `FromPath(path, project_id)`: ftok(). Every process that names the same
//     existing file and project id gets the same key. The key is built from
//     the file's inode and device numbers, so deleting and recreating the
//     file changes it, and two files can (rarely) give the same key.
//   - `Explicit(0x1234)`: a number agreed on in advance (a firmware
//     constant, a value from a configuration file).
//   - `Private()`: IPC_PRIVATE, always a new set that no other process can
//     find by key; share it with children through fork() or by passing the
//     id.
//   - `FromName(name)`: a 32-bit FNV-1a hash of a POSIX-style name, so that
//     code written for named semaphores works on System V (the generic
//     `Semaphore` uses it). Two names can give the same key, at a chance of
//     about one in four billion per pair; creating with
//     `OpenMode::kCreateExclusive` then fails with kAlreadyExists rather
//     than sharing someone else's set.
//
// Example:
//
//   absl::StatusOr<sysv::SemaphoreKey> key =
//       sysv::SemaphoreKey::FromPath("/etc/frame-grabber.conf", 'F');
//   if (!key.ok()) return key.status();

#ifndef IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_KEY_H_
#define IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_KEY_H_

#include <sys/ipc.h>
#include <sys/types.h>

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "ipcbox/core/name.h"

namespace ipcbox::sysv {

class SemaphoreKey {
 public:
  // ftok(path, project_id). ftok uses only the low 8 bits of the project
  // id, and 0 there is undefined, so `project_id` must be 1 to 255
  // (kInvalidArgument otherwise). kNotFound if `path` does not exist.
  static absl::StatusOr<SemaphoreKey> FromPath(const std::string& path,
                                               int project_id);

  // `key` as is; `Explicit(IPC_PRIVATE)` is `Private()`.
  static constexpr SemaphoreKey Explicit(key_t key) {
    return SemaphoreKey(key);
  }

  static constexpr SemaphoreKey Private() {
    return SemaphoreKey(IPC_PRIVATE);
  }

  // The hash of `name` described above; never IPC_PRIVATE.
  static SemaphoreKey FromName(const PosixName& name);

  constexpr key_t value() const { return key_; }
  constexpr bool is_private() const { return key_ == IPC_PRIVATE; }

  // "0x0000abcd" as ipcs prints keys, or "IPC_PRIVATE".
  std::string ToString() const;

  friend constexpr bool operator==(SemaphoreKey a, SemaphoreKey b) {
    return a.key_ == b.key_;
  }
  friend constexpr bool operator!=(SemaphoreKey a, SemaphoreKey b) {
    return a.key_ != b.key_;
  }
  friend std::ostream& operator<<(std::ostream& os, SemaphoreKey key) {
    return os << key.ToString();
  }

 private:
  explicit constexpr SemaphoreKey(key_t key) : key_(key) {}

  key_t key_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_SEMAPHORE_SYSV_SEMAPHORE_KEY_H_
