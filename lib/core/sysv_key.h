// sysv_key.h
//
// `sysv::IpcKey` is the key_t by which processes find the same System V
// object: a message queue (msgget), a semaphore set (semget) or a shared
// memory segment (shmget). One type for all three, so one name or one file
// gives one key number whichever mechanism uses it (`ipcs` shows it). Four
// ways to get one, each checked before any system call: `FromPath()`
// (ftok of an existing file), `FromValue()` (a number agreed in advance),
// `Private()` (IPC_PRIVATE, a new object every time) and `FromName()` (a
// hash of a POSIX name, for code written against the generic types).
// lib/core/README.md says why ftok() keys go stale and how names hash.
//
// Example:
//
//   absl::StatusOr<sysv::IpcKey> key =
//       sysv::IpcKey::FromPath("/etc/frame-grabber.conf", 'F');
//   if (!key.ok()) return key.status();  // NotFound: the file is missing
//   absl::StatusOr<sysv::MessageQueue> queue = sysv::MessageQueue::Open(*key);
//
// Copying and comparing never allocate.

#ifndef IPCBOX_CORE_SYSV_KEY_H_
#define IPCBOX_CORE_SYSV_KEY_H_

#include <sys/ipc.h>
#include <sys/types.h>

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"

namespace ipcbox::sysv {

class IpcKey {
 public:
  // ftok(path, project_id). NotFound, naming the path, if the file does not
  // exist; InvalidArgument if `project_id` is outside 1..255 (ftok keeps
  // only its low 8 bits, and 0 is unspecified); ftok()'s own errno status
  // (EACCES, ...) otherwise.
  static absl::StatusOr<IpcKey> FromPath(absl::string_view path,
                                         int project_id);

  // An explicit key. InvalidArgument for 0, which is IPC_PRIVATE (say
  // `Private()`), and for -1: the kernel would take it as a key, but it is
  // what a failed ftok() returns, so a -1 here is an unchecked error.
  static absl::StatusOr<IpcKey> FromValue(key_t value);

  // IPC_PRIVATE (0): every get() with it creates a new object that no other
  // process can find by key; share it through fork() or by passing its id.
  static constexpr IpcKey Private() { return IpcKey(IPC_PRIVATE); }

  // The 32-bit FNV-1a hash of `name`; never 0 (IPC_PRIVATE) nor -1.
  static IpcKey FromName(const PosixName& name);

  // The key the kernel reports for an existing object (IPC_STAT's __key),
  // as is: what some other program chose, or IPC_PRIVATE once removed. For
  // reporting only; a key to look up comes from the constructors above.
  static constexpr IpcKey FromKernel(key_t reported) {
    return IpcKey(reported);
  }

  constexpr key_t value() const { return value_; }
  constexpr bool is_private() const { return value_ == IPC_PRIVATE; }

  // "key 0x00000d2f" (the digits as `ipcs` prints keys) or "IPC_PRIVATE",
  // for messages. Allocates.
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

#endif  // IPCBOX_CORE_SYSV_KEY_H_
