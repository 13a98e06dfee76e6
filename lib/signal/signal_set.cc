#include "ipcbox/signal/signal_set.h"

#include <signal.h>

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {

SignalSet::SignalSet() { sigemptyset(&set_); }

absl::StatusOr<SignalSet> SignalSet::Of(std::initializer_list<int> signals) {
  SignalSet set;
  for (int signo : signals) {
    if (absl::Status s = set.Add(signo); !s.ok()) return s;
  }
  return set;
}

SignalSet SignalSet::FromNative(const sigset_t& native) {
  SignalSet set;
  for (int signo = 1; signo <= kLastSignal; ++signo) {
    if (CheckSignalNumber(signo).ok() && sigismember(&native, signo) == 1) {
      sigaddset(&set.set_, signo);
    }
  }
  return set;
}

absl::Status SignalSet::Add(int signo) {
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  sigaddset(&set_, signo);
  return absl::OkStatus();
}

absl::Status SignalSet::Remove(int signo) {
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  sigdelset(&set_, signo);
  return absl::OkStatus();
}

bool SignalSet::Contains(int signo) const {
  return signo >= 1 && signo <= kLastSignal && sigismember(&set_, signo) == 1;
}

// Not sigisemptyset(): glibc 2.36 folds the set's 64-bit words into an int
// there, so a set holding only signals 33..64 reads as empty on 64-bit
// systems.
bool SignalSet::empty() const {
  for (int signo = 1; signo <= kLastSignal; ++signo) {
    if (Contains(signo)) return false;
  }
  return true;
}

SignalSet SignalSet::Minus(const SignalSet& other) const {
  SignalSet result;
  ForEach([&](int signo) {
    if (!other.Contains(signo)) sigaddset(&result.set_, signo);
  });
  return result;
}

std::string SignalSet::ToString() const {
  std::string text = "{";
  const char* separator = "";
  ForEach([&](int signo) {
    absl::StrAppend(&text, separator, SignalName(signo));
    separator = ", ";
  });
  text += "}";
  return text;
}

bool operator==(const SignalSet& a, const SignalSet& b) {
  for (int signo = 1; signo <= SignalSet::kLastSignal; ++signo) {
    if (a.Contains(signo) != b.Contains(signo)) return false;
  }
  return true;
}

}  // namespace ipcbox
