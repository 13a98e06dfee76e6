// handler_claims.h
//
// Internal to lib/signal: which signals have an ipcbox-owned handler
// (`SignalFlag`, `SignalPipe`) right now. Those handlers keep per-signal
// global state, so two of them on one signal would share it and the second
// to go would restore the first one's handler after it is gone; claiming the
// signal first turns that into a clear status.
//
// Example (`SignalFlag::Install()`, and its destructor):
//
//   absl::Status s = ClaimSignal(SIGTERM, "SignalFlag");
//   if (!s.ok()) return s;  // kAlreadyExists: a SignalPipe has SIGTERM
//   ...                     // install the handler; once it is restored:
//   ReleaseSignal(SIGTERM);

#ifndef IPCBOX_SIGNAL_INTERNAL_HANDLER_CLAIMS_H_
#define IPCBOX_SIGNAL_INTERNAL_HANDLER_CLAIMS_H_

#include "absl/status/status.h"

namespace ipcbox {
namespace signal_internal {

// Highest signal number plus one: the size of per-signal tables.
inline constexpr int kSignalTableSize = 65;

// Claims `signo` for `owner` ("SignalFlag"); kAlreadyExists if another
// ipcbox handler holds it. `signo` must already be valid.
absl::Status ClaimSignal(int signo, const char* owner);
void ReleaseSignal(int signo);

}  // namespace signal_internal
}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_INTERNAL_HANDLER_CLAIMS_H_
