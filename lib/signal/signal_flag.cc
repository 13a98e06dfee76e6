#include "ipcbox/signal/signal_flag.h"

#include <atomic>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/signal/internal/handler_claims.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace {

using signal_internal::kSignalTableSize;

// A handler may only touch lock-free atomics (a lock-based one could
// deadlock against the code it interrupted).
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_deliveries[kSignalTableSize];

void CountDelivery(int signo) {
  if (signo > 0 && signo < kSignalTableSize) {
    g_deliveries[signo].fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

absl::StatusOr<SignalFlag> SignalFlag::Install(int signo,
                                               const HandlerOptions& options) {
  if (absl::Status s = CheckHandleableSignal(signo); !s.ok()) return s;
  if (absl::Status s = signal_internal::ClaimSignal(signo, "SignalFlag");
      !s.ok()) {
    return s;
  }
  g_deliveries[signo].store(0);
  absl::StatusOr<ScopedSignalHandler> handler =
      ScopedSignalHandler::Install(signo, CountDelivery, options);
  if (!handler.ok()) {
    signal_internal::ReleaseSignal(signo);
    return handler.status();
  }
  return SignalFlag(*std::move(handler));
}

SignalFlag::SignalFlag(SignalFlag&& other) noexcept
    : handler_(std::move(other.handler_)) {}

SignalFlag& SignalFlag::operator=(SignalFlag&& other) noexcept {
  if (this != &other) {
    Uninstall();
    handler_ = std::move(other.handler_);
  }
  return *this;
}

SignalFlag::~SignalFlag() { Uninstall(); }

void SignalFlag::Uninstall() {
  if (!handler_.active()) return;
  const int signo = handler_.signo();
  (void)handler_.Restore();
  signal_internal::ReleaseSignal(signo);
}

bool SignalFlag::raised() const {
  if (!handler_.active()) return false;
  return g_deliveries[handler_.signo()].load(std::memory_order_relaxed) > 0;
}

int SignalFlag::Take() {
  if (!handler_.active()) return 0;
  return g_deliveries[handler_.signo()].exchange(0, std::memory_order_relaxed);
}

}  // namespace ipcbox
