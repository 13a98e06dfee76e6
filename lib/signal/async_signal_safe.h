// async_signal_safe.h
//
// What a signal handler may do, and `SaveErrno`, which every handler that
// makes a system call needs. A handler runs in the middle of whatever the
// thread was doing (inside malloc() with its lock held, half-way through a
// printf()), so it may only call the async-signal-safe functions of
// signal-safety(7): store to a `volatile sig_atomic_t` or lock-free
// `std::atomic` (`SignalFlag`), write() a byte to wake an event loop
// (`SignalPipe`), the system calls on the list (write, kill, waitpid, _exit,
// sem_post, ...), and the ipcbox functions documented as async-signal-safe.
// It must not allocate, use stdio, log, lock a mutex, call exit(), or call
// into ipcbox objects. lib/signal's README.md has the full list and why.
//
// A handler that calls anything which may set errno must restore it, or the
// interrupted code sees a changed errno after its own failed call:
//
//   void OnSigchld(int) {
//     SaveErrno keep;
//     while (waitpid(-1, nullptr, WNOHANG) > 0) {}
//   }

#ifndef IPCBOX_SIGNAL_ASYNC_SIGNAL_SAFE_H_
#define IPCBOX_SIGNAL_ASYNC_SIGNAL_SAFE_H_

#include <cerrno>

namespace ipcbox {

// Restores errno to its value at construction when it goes out of scope.
class SaveErrno {
 public:
  SaveErrno() : saved_(errno) {}
  ~SaveErrno() { errno = saved_; }
  SaveErrno(const SaveErrno&) = delete;
  SaveErrno& operator=(const SaveErrno&) = delete;

 private:
  int saved_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_ASYNC_SIGNAL_SAFE_H_
