// sysv_key.h
//
// `sysv::IpcKey` names a System V IPC object (message queue, semaphore set,
// shared memory segment): the key that msgget(), semget() and shmget() look
// up. There are three kinds, and each is checked before any system call:
//
//   - from ftok(path, project_id): processes that agree on an existing file
//     and a project id get the same key. ftok() does not check either input
//     the way callers expect: a missing file makes it fail with only an errno,
//     and it keeps just the low 8 bits of the id, so 0 and 256 (both 0, for
//     which POSIX leaves the result unspecified) or 1 and 257 (the same key)
//     are easy mistakes. `FromPath()` requires the file to exist and the id
//     to be 1..255.
//   - an explicit number agreed in advance (not 0, which is IPC_PRIVATE);
//   - IPC_PRIVATE: a new object every time, reachable only through its id
//     (shared with children across fork(), or passed along by other means).
//
// Example:
//
//   absl::StatusOr<sysv::IpcKey> key = sysv::IpcKey::FromPath("queue.h", 123);
//   if (!key.ok()) return key.status();
//   absl::StatusOr<sysv::MessageQueue> queue = sysv::MessageQueue::Open(*key);
//
// An ftok() key is derived from the file's inode and device numbers: a file
// that is deleted and created again usually gets a new key, and two files can
// collide. Keep the file in place for as long as the key is in use.
//
// Copying and comparing never allocate.

#ifndef IPCBOX_MESSAGE_QUEUE_SYSV_KEY_H_
#define IPCBOX_MESSAGE_QUEUE_SYSV_KEY_H_

#include <sys/ipc.h>
#include <sys/types.h>

#include <ostream>
#include <string>

#include "absl/status/statusor.h"

namespace ipcbox::sysv {

class IpcKey {
 public:
  // The key ftok(path, project_id) gives. NotFound (naming the path) if the
  // file does not exist, InvalidArgument if `project_id` is outside 1..255,
  // ftok()'s own errno status (EACCES, ...) otherwise.
  static absl::StatusOr<IpcKey> FromPath(const char* path, int project_id);
  static absl::StatusOr<IpcKey> FromPath(const std::string& path,
                                         int project_id) {
    return FromPath(path.c_str(), project_id);
  }

  // An explicit key. InvalidArgument for 0 (IPC_PRIVATE: use `Private()`,
  // which says what is meant) and for -1 (what a failed ftok() returns).
  static absl::StatusOr<IpcKey> FromValue(key_t value);

  // IPC_PRIVATE: every get() with it creates a new, unnamed object.
  static constexpr IpcKey Private() { return IpcKey(IPC_PRIVATE); }

  constexpr key_t value() const { return value_; }
  constexpr bool is_private() const { return value_ == IPC_PRIVATE; }

  // "key 0x7b0a0c3d", or "IPC_PRIVATE": for messages (allocates).
  std::string ToString() const;

  friend constexpr bool operator==(IpcKey a, IpcKey b) {
    return a.value_ == b.value_;
  }
  friend constexpr bool operator!=(IpcKey a, IpcKey b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, IpcKey key) {
    return os << key.ToString();
  }

 private:
  explicit constexpr IpcKey(key_t value) : value_(value) {}

  key_t value_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_MESSAGE_QUEUE_SYSV_KEY_H_
