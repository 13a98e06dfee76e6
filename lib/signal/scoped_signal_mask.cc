#include "ipcbox/signal/scoped_signal_mask.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/signal_number.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {
namespace {

absl::Status CheckBlockable(const SignalSet& signals) {
  for (int signo : {SIGKILL, SIGSTOP}) {
    if (signals.Contains(signo)) return CheckHandleableSignal(signo);
  }
  return absl::OkStatus();
}

// pthread_sigmask returns the error number instead of setting errno.
absl::Status SetMask(int how, const SignalSet& signals) {
  const int err = ::pthread_sigmask(how, &signals.native(), nullptr);
  if (err != 0) return ErrnoError(err, "pthread_sigmask", signals.ToString());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ScopedSignalMask> ScopedSignalMask::Block(
    const SignalSet& signals) {
  return Apply(Change::kBlocked, signals);
}

absl::StatusOr<ScopedSignalMask> ScopedSignalMask::Unblock(
    const SignalSet& signals) {
  return Apply(Change::kUnblocked, signals);
}

absl::StatusOr<ScopedSignalMask> ScopedSignalMask::Apply(
    Change change, const SignalSet& signals) {
  if (absl::Status s = CheckBlockable(signals); !s.ok()) return s;
  sigset_t old_native;
  const int how = change == Change::kBlocked ? SIG_BLOCK : SIG_UNBLOCK;
  const int err = ::pthread_sigmask(how, &signals.native(), &old_native);
  if (err != 0) return ErrnoError(err, "pthread_sigmask", signals.ToString());
  const SignalSet old = SignalSet::FromNative(old_native);
  // Blocking changed what was not blocked; unblocking what was.
  SignalSet changed;
  signals.ForEach([&](int signo) {
    if (old.Contains(signo) != (change == Change::kBlocked)) {
      (void)changed.Add(signo);
    }
  });
  return ScopedSignalMask(change, changed);
}

ScopedSignalMask::ScopedSignalMask(ScopedSignalMask&& other) noexcept
    : change_(std::exchange(other.change_, Change::kNone)),
      changed_(other.changed_) {}

ScopedSignalMask& ScopedSignalMask::operator=(
    ScopedSignalMask&& other) noexcept {
  if (this != &other) {
    (void)Restore();
    change_ = std::exchange(other.change_, Change::kNone);
    changed_ = other.changed_;
  }
  return *this;
}

ScopedSignalMask::~ScopedSignalMask() { (void)Restore(); }

absl::Status ScopedSignalMask::Restore() {
  const Change change = std::exchange(change_, Change::kNone);
  if (change == Change::kNone || changed_.empty()) return absl::OkStatus();
  return SetMask(change == Change::kBlocked ? SIG_UNBLOCK : SIG_BLOCK,
                 changed_);
}

absl::StatusOr<SignalSet> CurrentSignalMask() {
  sigset_t native;
  const int err = ::pthread_sigmask(SIG_SETMASK, nullptr, &native);
  if (err != 0) return ErrnoError(err, "pthread_sigmask", "");
  return SignalSet::FromNative(native);
}

absl::StatusOr<SignalSet> PendingSignals() {
  sigset_t native;
  if (::sigpending(&native) != 0) return ErrnoError(errno, "sigpending", "");
  return SignalSet::FromNative(native);
}

}  // namespace ipcbox
