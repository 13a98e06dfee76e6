// fd.h
//
// `Fd` owns one file descriptor and closes it when it goes out of scope, so
// that no error path can leak a descriptor. It is move-only: exactly one
// owner closes the descriptor, exactly once.
//
// Example:
//
//   int raw = ::open(path, O_RDONLY | O_CLOEXEC);
//   if (raw < 0) return ErrnoError(errno, "open", path);
//   Fd fd(raw);
//   ...                               // any return closes it
//   return fd.Close();                // or close explicitly to see the error
//
// The destructor and `reset()` cannot report close()'s error; call `Close()`
// where that error matters (a file written through the descriptor on NFS).

#ifndef IPCBOX_CORE_FD_H_
#define IPCBOX_CORE_FD_H_

#include "absl/base/attributes.h"
#include "absl/status/status.h"

namespace ipcbox {

class Fd {
 public:
  // An empty owner (`get() == -1`).
  Fd() = default;
  // Takes ownership of `fd`; -1 (or any negative value) means empty.
  explicit Fd(int fd) : fd_(fd) {}

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  // Closes the descriptor held so far, then takes `other`'s.
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }

  ~Fd() { reset(); }

  // The descriptor, still owned by this object; -1 when empty.
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership without closing and returns the descriptor; the
  // caller must close it. The object becomes empty.
  ABSL_MUST_USE_RESULT int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Closes the descriptor held so far (ignoring close()'s error, keeping
  // errno) and takes ownership of `fd`. `reset(get())` is a no-op rather than
  // closing the descriptor it is asked to keep.
  void reset(int fd = -1);

  // Closes the descriptor and returns close()'s error, if any. Closing an
  // empty `Fd` succeeds and does nothing. The object is empty afterwards in
  // every case: whatever close() returns, the descriptor is released.
  ABSL_MUST_USE_RESULT absl::Status Close();

 private:
  int fd_ = -1;
};

}  // namespace ipcbox

#endif  // IPCBOX_CORE_FD_H_
