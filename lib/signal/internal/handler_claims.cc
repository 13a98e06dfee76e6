#include "ipcbox/signal/internal/handler_claims.h"

#include <atomic>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace signal_internal {
namespace {

std::atomic<bool> g_claimed[kSignalTableSize];

}  // namespace

absl::Status ClaimSignal(int signo, const char* owner) {
  bool expected = false;
  if (g_claimed[signo].compare_exchange_strong(expected, true)) {
    return absl::OkStatus();
  }
  return absl::AlreadyExistsError(
      absl::StrCat(owner, ": ", SignalName(signo),
                   " already has an ipcbox handler "
                   "(a SignalFlag or SignalPipe that is still alive)"));
}

void ReleaseSignal(int signo) { g_claimed[signo].store(false); }

}  // namespace signal_internal
}  // namespace ipcbox
