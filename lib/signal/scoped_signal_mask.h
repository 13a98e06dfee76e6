// scoped_signal_mask.h
//
// `ScopedSignalMask` blocks (or unblocks) signals in the calling thread for
// the length of a scope, with pthread_sigmask(), and reverses exactly what it
// changed when it goes away, so scopes nest.
//
// Example (take SIGTERM through a signalfd instead of a handler):
//
//   absl::StatusOr<SignalSet> set = SignalSet::Of({SIGTERM});
//   absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
//   if (!mask.ok()) return mask.status();
//   absl::StatusOr<SignalFd> fd = SignalFd::Create(*set);
//   ...
//   // ~ScopedSignalMask: SIGTERM is unblocked again, unless it was blocked
//   // before the scope began.
//
// A blocked signal stays pending until unblocked or read. The mask is per
// thread: create and destroy the object on the same thread. Threads created
// inside the scope, and programs exec'd, inherit it. A set containing SIGKILL
// or SIGSTOP is refused. See lib/signal's README.md.

#ifndef IPCBOX_SIGNAL_SCOPED_SIGNAL_MASK_H_
#define IPCBOX_SIGNAL_SCOPED_SIGNAL_MASK_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {

class ScopedSignalMask {
 public:
  // Holds nothing; restores nothing.
  ScopedSignalMask() = default;

  // Blocks `signals` in the calling thread. kInvalidArgument if the set
  // holds SIGKILL or SIGSTOP.
  static absl::StatusOr<ScopedSignalMask> Block(const SignalSet& signals);
  // Unblocks `signals` in the calling thread.
  static absl::StatusOr<ScopedSignalMask> Unblock(const SignalSet& signals);

  ScopedSignalMask(ScopedSignalMask&& other) noexcept;
  ScopedSignalMask& operator=(ScopedSignalMask&& other) noexcept;
  ScopedSignalMask(const ScopedSignalMask&) = delete;
  ScopedSignalMask& operator=(const ScopedSignalMask&) = delete;

  ~ScopedSignalMask();

  // Reverses this scope's change now; idempotent.
  absl::Status Restore();

  // The signals whose state this scope changed (and will change back).
  const SignalSet& changed() const { return changed_; }

 private:
  enum class Change { kNone, kBlocked, kUnblocked };
  ScopedSignalMask(Change change, const SignalSet& changed)
      : change_(change), changed_(changed) {}

  static absl::StatusOr<ScopedSignalMask> Apply(Change change,
                                                const SignalSet& signals);

  Change change_ = Change::kNone;
  SignalSet changed_;
};

// The calling thread's blocked signals.
absl::StatusOr<SignalSet> CurrentSignalMask();

// Signals pending for the calling thread or the process (sigpending).
absl::StatusOr<SignalSet> PendingSignals();

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SCOPED_SIGNAL_MASK_H_
