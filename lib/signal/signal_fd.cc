#include "ipcbox/signal/signal_fd.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_info.h"
#include "ipcbox/signal/signal_number.h"
#include "ipcbox/signal/signal_set.h"

namespace ipcbox {
namespace {

absl::Status CheckUsable(const SignalSet& signals, bool require_blocked) {
  if (signals.empty()) {
    return absl::InvalidArgumentError("SignalFd: the signal set is empty");
  }
  for (int signo : {SIGKILL, SIGSTOP}) {
    if (signals.Contains(signo)) return CheckHandleableSignal(signo);
  }
  if (!require_blocked) return absl::OkStatus();
  absl::StatusOr<SignalSet> mask = CurrentSignalMask();
  if (!mask.ok()) return mask.status();
  const SignalSet unblocked = signals.Minus(*mask);
  if (unblocked.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "SignalFd: ", unblocked.ToString(),
      " not blocked in this thread; they "
      "would be delivered to their handler or default action instead of the "
      "descriptor. Block them first (ScopedSignalMask::Block)"));
}

SignalInfo FromKernel(const signalfd_siginfo& raw) {
  SignalInfo info;
  info.signo = static_cast<int>(raw.ssi_signo);
  info.code = raw.ssi_code;
  info.sender_pid = static_cast<pid_t>(raw.ssi_pid);
  info.sender_uid = static_cast<uid_t>(raw.ssi_uid);
  info.value = raw.ssi_int;
  info.child_status = raw.ssi_status;
  return info;
}

}  // namespace

absl::StatusOr<SignalFd> SignalFd::Create(const SignalSet& signals,
                                          const SignalFdOptions& options) {
  if (absl::Status s = CheckUsable(signals, options.require_blocked); !s.ok()) {
    return s;
  }
  const int fd = ::signalfd(-1, &signals.native(), SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return ErrnoError(errno, "signalfd", signals.ToString());
  return SignalFd(Fd(fd), signals, options.nonblocking);
}

absl::Status SignalFd::SetSignals(const SignalSet& signals) {
  if (!fd_.valid()) {
    return absl::FailedPreconditionError("SignalFd::SetSignals: not open");
  }
  if (absl::Status s = CheckUsable(signals, /*require_blocked=*/true);
      !s.ok()) {
    return s;
  }
  if (::signalfd(fd_.get(), &signals.native(), 0) < 0) {
    return ErrnoError(errno, "signalfd", fd_.get());
  }
  signals_ = signals;
  return absl::OkStatus();
}

absl::StatusOr<SignalInfo> SignalFd::ReadOnce() {
  signalfd_siginfo raw;
  const ssize_t n =
      RetryOnEintr([&] { return ::read(fd_.get(), &raw, sizeof(raw)); });
  if (n < 0) {
    const int err = errno;
    if (err == EAGAIN) return WouldBlockError();
    return ErrnoError(err, "read", fd_.get());
  }
  if (static_cast<size_t>(n) != sizeof(raw)) {
    return absl::DataLossError(absl::StrCat("read(fd ", fd_.get(), "): ", n,
                                            " bytes from a signalfd, expected ",
                                            sizeof(raw)));
  }
  return FromKernel(raw);
}

absl::StatusOr<SignalInfo> SignalFd::Read() {
  if (!fd_.valid()) {
    return absl::FailedPreconditionError("SignalFd::Read: not open");
  }
  if (nonblocking_) return ReadOnce();
  return ReadUntil(Deadline::Infinite());
}

absl::StatusOr<SignalInfo> SignalFd::ReadFor(absl::Duration timeout) {
  return ReadUntil(Deadline::After(timeout));
}

absl::StatusOr<SignalInfo> SignalFd::ReadUntil(Deadline deadline) {
  if (!fd_.valid()) {
    return absl::FailedPreconditionError("SignalFd::ReadUntil: not open");
  }
  // The descriptor itself is always O_NONBLOCK, so that a read after poll()
  // never waits even if another reader took the signal in between.
  for (;;) {
    absl::StatusOr<SignalInfo> info = ReadOnce();
    if (!IsWouldBlock(info.status())) return info;
    if (deadline.expired()) return TimedOutError();
    pollfd pfd = {fd_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, deadline.PollTimeoutMs()) < 0 && errno != EINTR) {
      return ErrnoError(errno, "poll", fd_.get());
    }
  }
}

}  // namespace ipcbox
