// timeout_signal_handler.h
//
// Internal to //lib/file_lock: readies the signal that timed lock waits use
// (see timeout_signal.h).
//
// Example (`InterruptTimer::Arm()`, before it creates its timer):
//
//   absl::StatusOr<int> signo = ReadyTimeoutSignal();
//   if (!signo.ok()) return signo.status();  // the program's handler is there
//   event.sigev_signo = *signo;              // the timer's signal

#ifndef IPCBOX_FILE_LOCK_INTERNAL_TIMEOUT_SIGNAL_HANDLER_H_
#define IPCBOX_FILE_LOCK_INTERNAL_TIMEOUT_SIGNAL_HANDLER_H_

#include "absl/status/statusor.h"

namespace ipcbox {
namespace file_lock_internal {

// Returns `LockTimeoutSignal()` once ipcbox's do-nothing handler is installed
// for it: installs it if the signal's disposition is SIG_DFL or SIG_IGN,
// fails with kFailedPrecondition if the program has a handler of its own
// there. When the handler is already in place this is one sigaction() call
// and allocates nothing.
absl::StatusOr<int> ReadyTimeoutSignal();

}  // namespace file_lock_internal
}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_INTERNAL_TIMEOUT_SIGNAL_HANDLER_H_
