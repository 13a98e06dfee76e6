#include "ipcbox/signal/signal_pipe.h"

#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/signal/async_signal_safe.h"
#include "ipcbox/signal/internal/handler_claims.h"
#include "ipcbox/signal/scoped_signal_handler.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {
namespace {

using signal_internal::kSignalTableSize;

static_assert(std::atomic<int>::is_always_lock_free);
// The write end for each signal, plus one (0: none), and how many handlers
// are between reading it and finishing their write. Sequentially consistent
// on purpose: teardown clears the descriptor and then waits for the count
// to drop, so a handler either sees no descriptor or is waited for.
std::atomic<int> g_write_fd_plus_one[kSignalTableSize];
std::atomic<int> g_writing[kSignalTableSize];

void WriteSignalNumber(int signo) {
  if (signo <= 0 || signo >= kSignalTableSize) return;
  SaveErrno keep_errno;
  g_writing[signo].fetch_add(1);
  const int fd = g_write_fd_plus_one[signo].load() - 1;
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(signo);
    (void)!::write(fd, &byte, 1);  // full pipe: dropped (README.md)
  }
  g_writing[signo].fetch_sub(1);
}

void Disconnect(int signo) {
  g_write_fd_plus_one[signo].store(0);
  while (g_writing[signo].load() != 0) sched_yield();
}

absl::Status CheckPipeable(const SignalSet& signals) {
  if (signals.empty()) {
    return absl::InvalidArgumentError("SignalPipe: the signal set is empty");
  }
  absl::Status status;
  signals.ForEach([&](int signo) {
    if (status.ok()) status = CheckHandleableSignal(signo);
  });
  return status;
}

}  // namespace

absl::StatusOr<SignalPipe> SignalPipe::Install(const SignalSet& signals,
                                               const HandlerOptions& options) {
  if (absl::Status s = CheckPipeable(signals); !s.ok()) return s;
  PipeOptions pipe_options;
  pipe_options.nonblocking_reader = true;
  pipe_options.nonblocking_writer = true;
  absl::StatusOr<Pipe> pipe = CreatePipe(pipe_options);
  if (!pipe.ok()) return pipe.status();

  SignalPipe result;
  result.reader_ = std::move(pipe->reader);
  result.write_end_ = pipe->writer.Release();
  absl::Status status;
  signals.ForEach([&](int signo) {
    if (!status.ok()) return;
    status = signal_internal::ClaimSignal(signo, "SignalPipe");
    if (!status.ok()) return;
    g_write_fd_plus_one[signo].store(result.write_end_.get() + 1);
    absl::StatusOr<ScopedSignalHandler> handler =
        ScopedSignalHandler::Install(signo, WriteSignalNumber, options);
    if (!handler.ok()) {
      Disconnect(signo);
      signal_internal::ReleaseSignal(signo);
      status = handler.status();
      return;
    }
    (void)result.signals_.Add(signo);
    result.handlers_.push_back(*std::move(handler));
  });
  if (!status.ok()) return status;  // ~SignalPipe undoes what was installed
  return result;
}

SignalPipe& SignalPipe::operator=(SignalPipe&& other) noexcept {
  if (this != &other) {
    Uninstall();
    signals_ = std::exchange(other.signals_, SignalSet());
    handlers_ = std::move(other.handlers_);
    reader_ = std::move(other.reader_);
    write_end_ = std::move(other.write_end_);
  }
  return *this;
}

SignalPipe::~SignalPipe() { Uninstall(); }

void SignalPipe::Uninstall() {
  for (ScopedSignalHandler& handler : handlers_) {
    const int signo = handler.signo();
    if (signo == 0) continue;  // moved from
    (void)handler.Restore();
    Disconnect(signo);
    signal_internal::ReleaseSignal(signo);
  }
  handlers_.clear();
  signals_ = SignalSet();
  write_end_.reset();
}

absl::StatusOr<int> SignalPipe::Take() {
  absl::StatusOr<int> signo = WaitUntil(Deadline::Expired());
  if (IsTimedOut(signo.status())) return WouldBlockError();
  return signo;
}

absl::StatusOr<int> SignalPipe::WaitFor(absl::Duration timeout) {
  return WaitUntil(Deadline::After(timeout));
}

absl::StatusOr<int> SignalPipe::WaitUntil(Deadline deadline) {
  char byte = 0;
  absl::StatusOr<size_t> n =
      reader_.ReadUntil(absl::MakeSpan(&byte, 1), deadline);
  if (!n.ok()) return n.status();
  return static_cast<int>(static_cast<unsigned char>(byte));
}

}  // namespace ipcbox
