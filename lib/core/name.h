// name.h
//
// `PosixName` is the name of a POSIX IPC object (shm_open, sem_open,
// mq_open), checked before any system call sees it. The C library's own
// checks are looser and differ per call: glibc's shm_open and sem_open strip
// any number of leading slashes, so "foo", "/foo" and "//foo" are one object
// to them, while mq_open rejects "foo"; and a name that breaks a rule fails
// with an errno (EINVAL, ENAMETOOLONG) that does not say which rule. Checking
// up front gives one rule set for every mechanism, a name that means the
// same object to all of them, and a message that names the problem.
//
// The rules: exactly one '/', at the start; 1 to `max_length` bytes after it
// (NAME_MAX = 255 by default); no NUL byte; not "/." or "/..".
//
// Example:
//
//   absl::StatusOr<PosixName> name = PosixName::Create("/sensor-frames");
//   if (!name.ok()) return name.status();
//   int fd = ::shm_open(name->c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
//
// The name is stored inline (no heap), so creating, copying and `c_str()`
// never allocate.

#ifndef IPCBOX_CORE_NAME_H_
#define IPCBOX_CORE_NAME_H_

#include <limits.h>

#include <cstddef>
#include <ostream>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

// The longest name after the slash that sem_open accepts: glibc creates
// the semaphore as the file "/dev/shm/sem.<name>", whose name must itself
// fit in NAME_MAX. Pass it as `max_length` when the name is for sem_open.
inline constexpr size_t kMaxSemaphoreNameLength = NAME_MAX - 4;

class PosixName {
 public:
  // Validates `name` against the rules above. `max_length` bounds the
  // length after the slash; values above NAME_MAX mean NAME_MAX. Every
  // rejection is `absl::InvalidArgumentError` naming the name and the rule.
  static absl::StatusOr<PosixName> Create(absl::string_view name,
                                          size_t max_length = NAME_MAX);

  // The whole name, leading slash included, NUL-terminated.
  const char* c_str() const { return name_; }
  absl::string_view view() const { return absl::string_view(name_, size_); }
  size_t size() const { return size_; }

  friend bool operator==(const PosixName& a, const PosixName& b) {
    return a.view() == b.view();
  }
  friend bool operator!=(const PosixName& a, const PosixName& b) {
    return !(a == b);
  }
  friend std::ostream& operator<<(std::ostream& os, const PosixName& name) {
    return os << name.view();
  }

 private:
  // Only `Create()` makes one, so every `PosixName` is valid.
  explicit PosixName(absl::string_view valid_name);

  // Leading slash + NAME_MAX bytes + NUL.
  char name_[NAME_MAX + 2] = {};
  size_t size_;
};

}  // namespace ipcbox

#endif  // IPCBOX_CORE_NAME_H_
