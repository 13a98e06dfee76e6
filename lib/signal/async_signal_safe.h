// async_signal_safe.h
//
// What a signal handler may do, and `SaveErrno`, which every handler that
// makes a system call needs.
//
// A handler runs in the middle of whatever the thread was doing: inside
// malloc() with its lock held, half-way through a printf() buffer update,
// between two instructions of an absl::Mutex. Calling back into any of those
// from the handler deadlocks or corrupts them. POSIX lists the functions that
// are safe anyway ("async-signal-safe", see signal-safety(7)); anything not on
// the list must not be called from a handler. In practice, a handler may:
//
//   - store to a `volatile sig_atomic_t` or to a lock-free `std::atomic`
//     (`SignalFlag` does exactly this, see signal_flag.h);
//   - write() a byte to a pipe or eventfd to wake an event loop (`SignalPipe`
//     does exactly this, see signal_pipe.h);
//   - call the system calls on the list: write, read, kill, raise, sigqueue,
//     waitpid, _exit, close, dup2, sem_post, clock_gettime, ... ;
//   - call the few ipcbox functions documented as async-signal-safe
//     (`CheckSignalNumber()` on success, `SignalSet::Contains()`).
//
// A handler must NOT: allocate (new, malloc, std::string, absl::StrCat, an
// absl::Status with a message), use stdio or iostreams (printf, puts, cout),
// log, lock a mutex, call exit() (it runs atexit handlers and flushes
// stdio: use _exit()), or call into ipcbox objects (their methods build
// statuses and are not reentrant).
//
// The seed's shutdown example prints from its SIGTERM handler with printf();
// that works in a toy whose main loop only sleeps, and deadlocks the day the
// signal lands while the main loop is inside printf itself. ipcbox's port
// (examples/signal/shutdown) lets the handler write the signal number into a
// `SignalPipe` and prints from the main loop.
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
