#include "ipcbox/signal/scoped_signal_handler.h"

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

struct sigaction ActionFor(const HandlerOptions& options) {
  struct sigaction action = {};
  action.sa_mask = options.also_block.native();
  if (options.restart_interrupted_calls) action.sa_flags |= SA_RESTART;
  if (options.only_child_exits) action.sa_flags |= SA_NOCLDSTOP;
  return action;
}

absl::Status NullHandlerError(int signo) {
  return absl::InvalidArgumentError(
      absl::StrCat("ScopedSignalHandler: null handler for ", SignalName(signo),
                   " (use Ignore() or SetDefault())"));
}

}  // namespace

absl::StatusOr<ScopedSignalHandler> ScopedSignalHandler::Install(
    int signo, Handler handler, const HandlerOptions& options) {
  if (handler == nullptr) return NullHandlerError(signo);
  struct sigaction action = ActionFor(options);
  action.sa_handler = handler;
  return Replace(signo, action);
}

absl::StatusOr<ScopedSignalHandler> ScopedSignalHandler::InstallWithInfo(
    int signo, InfoHandler handler, const HandlerOptions& options) {
  if (handler == nullptr) return NullHandlerError(signo);
  struct sigaction action = ActionFor(options);
  action.sa_flags |= SA_SIGINFO;
  action.sa_sigaction = handler;
  return Replace(signo, action);
}

absl::StatusOr<ScopedSignalHandler> ScopedSignalHandler::Ignore(int signo) {
  struct sigaction action = {};
  action.sa_handler = SIG_IGN;
  return Replace(signo, action);
}

absl::StatusOr<ScopedSignalHandler> ScopedSignalHandler::SetDefault(int signo) {
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  return Replace(signo, action);
}

absl::StatusOr<ScopedSignalHandler> ScopedSignalHandler::Replace(
    int signo, const struct sigaction& action) {
  if (absl::Status s = CheckHandleableSignal(signo); !s.ok()) return s;
  struct sigaction previous = {};
  if (::sigaction(signo, &action, &previous) != 0) {
    return ErrnoError(errno, "sigaction", SignalName(signo));
  }
  return ScopedSignalHandler(signo, previous);
}

ScopedSignalHandler::ScopedSignalHandler(ScopedSignalHandler&& other) noexcept
    : signo_(std::exchange(other.signo_, 0)), previous_(other.previous_) {}

ScopedSignalHandler& ScopedSignalHandler::operator=(
    ScopedSignalHandler&& other) noexcept {
  if (this != &other) {
    (void)Restore();
    signo_ = std::exchange(other.signo_, 0);
    previous_ = other.previous_;
  }
  return *this;
}

ScopedSignalHandler::~ScopedSignalHandler() { (void)Restore(); }

absl::Status ScopedSignalHandler::Restore() {
  if (signo_ == 0) return absl::OkStatus();
  const int signo = std::exchange(signo_, 0);
  if (::sigaction(signo, &previous_, nullptr) != 0) {
    return ErrnoError(errno, "sigaction", SignalName(signo));
  }
  return absl::OkStatus();
}

absl::StatusOr<struct sigaction> CurrentSignalAction(int signo) {
  if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
  struct sigaction current = {};
  if (::sigaction(signo, nullptr, &current) != 0) {
    return ErrnoError(errno, "sigaction", SignalName(signo));
  }
  return current;
}

}  // namespace ipcbox
