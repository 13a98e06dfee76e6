// Helpers shared by the signal tests.

#ifndef IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_
#define IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_

#include <signal.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox::testing {

// Whether a signalfd receives a signal this process raises. qemu-user
// emulates signalfd (and the signal mask it depends on); tests that need it
// skip with this reason where it does not deliver.
inline bool SignalFdDeliversHere() {
  // Outer scope: a SIGURG that the descriptor misses is discarded when the
  // mask goes, instead of reaching its handler (SIGURG's default is to do
  // nothing anyway, which keeps the probe harmless).
  absl::StatusOr<ScopedSignalHandler> ignore =
      ScopedSignalHandler::Ignore(SIGURG);
  absl::StatusOr<SignalSet> set = SignalSet::Of({SIGURG});
  if (!ignore.ok() || !set.ok()) return false;
  absl::StatusOr<ScopedSignalMask> mask = ScopedSignalMask::Block(*set);
  if (!mask.ok()) return false;
  absl::StatusOr<SignalFd> fd = SignalFd::Create(*set);
  if (!fd.ok() || raise(SIGURG) != 0) return false;
  absl::StatusOr<SignalInfo> info = fd->ReadFor(absl::Seconds(5));
  return info.ok() && info->signo == SIGURG;
}

inline constexpr char kNoSignalFd[] =
    "signalfd does not deliver signals in this environment (qemu-user's "
    "emulation of signalfd/sigprocmask)";

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_
