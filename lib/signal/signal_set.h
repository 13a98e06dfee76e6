// signal_set.h
//
// `SignalSet` is a set of signal numbers (a `sigset_t`) whose members are
// checked as they are added, so that masks, handlers and signalfds built
// from it never see an invalid or reserved number.
//
// Example:
//
//   absl::StatusOr<SignalSet> set = SignalSet::Of({SIGTERM, SIGINT});
//   if (!set.ok()) return set.status();
//   absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
//
// A small value (128 bytes); copy it. Membership tests and iteration do not
// allocate and are async-signal-safe.

#ifndef IPCBOX_SIGNAL_SIGNAL_SET_H_
#define IPCBOX_SIGNAL_SIGNAL_SET_H_

#include <signal.h>

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ipcbox {

class SignalSet {
 public:
  // The empty set.
  SignalSet();

  // The set of `signals`; fails on the first number that
  // `CheckSignalNumber()` refuses (so SIGKILL is accepted: only handlers
  // refuse it).
  static absl::StatusOr<SignalSet> Of(std::initializer_list<int> signals);

  // Wraps a `sigset_t` from elsewhere (a mask the kernel returned). Numbers
  // the C library reserves are dropped.
  static SignalSet FromNative(const sigset_t& native);

  absl::Status Add(int signo);
  absl::Status Remove(int signo);
  bool Contains(int signo) const;
  bool empty() const;

  // Calls `fn(signo)` for each member in increasing order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int signo = 1; signo <= kLastSignal; ++signo) {
      if (Contains(signo)) fn(signo);
    }
  }

  // Members that are in this set and not in `other`.
  SignalSet Minus(const SignalSet& other) const;

  // The set for system calls.
  const sigset_t& native() const { return set_; }

  // "{SIGINT, SIGTERM}". For messages: allocates.
  std::string ToString() const;

  friend bool operator==(const SignalSet& a, const SignalSet& b);
  friend bool operator!=(const SignalSet& a, const SignalSet& b) {
    return !(a == b);
  }

 private:
  static constexpr int kLastSignal = 64;  // _NSIG - 1 on Linux
  sigset_t set_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_SET_H_
