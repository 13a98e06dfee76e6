// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include <csignal>

#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_set.h"

int main() {
  absl::StatusOr<ipcbox::SignalSet> set = ipcbox::SignalSet::Of({SIGTERM});
  if (!set.ok()) return 1;
  absl::StatusOr<ipcbox::ScopedSignalMask> mask =
      ipcbox::ScopedSignalMask::Block(*set);
  if (!mask.ok()) return 1;
  absl::StatusOr<ipcbox::SignalFd> signals = ipcbox::SignalFd::Create(*set);
  if (!signals.ok()) return 1;
  return signals->Read().ok() ? 0 : 1;
}
