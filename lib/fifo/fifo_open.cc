#include "ipcbox/fifo/fifo_open.h"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/fifo/internal/fifo_node.h"
#include "ipcbox/fifo/no_reader.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox {
namespace {

using fifo_internal::OpenFifoEnd;

// Waits until a reader opened with O_NONBLOCK has something to report: data
// (POLLIN) or a writer that came and went (POLLHUP). See fifo_open.h for
// why Linux does not report POLLHUP before any writer came.
absl::Status WaitForWriter(const Fd& fd, const Deadline& deadline) {
  struct pollfd pfd = {};
  pfd.fd = fd.get();
  pfd.events = POLLIN;
  for (;;) {
    const int ready = ::poll(&pfd, 1, deadline.PollTimeoutMs());
    if (ready > 0) return absl::OkStatus();
    if (ready == 0) {
      if (deadline.expired()) return TimedOutError();
      continue;  // the kernel's timer fired a little early
    }
    if (errno != EINTR) return ErrnoError(errno, "poll", fd.get());
  }
}

// Hands `fd` to lib/pipe and puts it in `end_mode`.
template <typename End>
absl::StatusOr<End> MakeEnd(Fd fd, FifoEndMode end_mode) {
  absl::StatusOr<End> end = End::FromFd(std::move(fd));
  if (!end.ok()) return end.status();
  const bool nonblocking = end_mode == FifoEndMode::kNonBlocking;
  if (end->nonblocking() != nonblocking) {
    if (absl::Status s = end->SetNonBlocking(nonblocking); !s.ok()) return s;
  }
  return end;
}

absl::StatusOr<std::string> CheckedPath(absl::string_view path) {
  if (absl::Status s = fifo_internal::CheckFifoPath(path); !s.ok()) return s;
  return std::string(path);
}

}  // namespace

absl::StatusOr<PipeReader> OpenFifoReader(absl::string_view path,
                                          Deadline deadline,
                                          FifoEndMode end_mode) {
  absl::StatusOr<std::string> checked = CheckedPath(path);
  if (!checked.ok()) return checked.status();
  if (deadline.is_infinite()) {
    absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_RDONLY);
    if (!fd.ok()) return fd.status();
    return MakeEnd<PipeReader>(*std::move(fd), end_mode);
  }
  absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_RDONLY | O_NONBLOCK);
  if (!fd.ok()) return fd.status();
  if (absl::Status s = WaitForWriter(*fd, deadline); !s.ok()) return s;
  return MakeEnd<PipeReader>(*std::move(fd), end_mode);
}

absl::StatusOr<PipeReader> TryOpenFifoReader(absl::string_view path,
                                             FifoEndMode end_mode) {
  absl::StatusOr<std::string> checked = CheckedPath(path);
  if (!checked.ok()) return checked.status();
  absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_RDONLY | O_NONBLOCK);
  if (!fd.ok()) return fd.status();
  return MakeEnd<PipeReader>(*std::move(fd), end_mode);
}

absl::StatusOr<PipeWriter> OpenFifoWriter(absl::string_view path,
                                          Deadline deadline,
                                          FifoEndMode end_mode) {
  absl::StatusOr<std::string> checked = CheckedPath(path);
  if (!checked.ok()) return checked.status();
  if (deadline.is_infinite()) {
    absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_WRONLY);
    if (!fd.ok()) return fd.status();
    return MakeEnd<PipeWriter>(*std::move(fd), end_mode);
  }
  // There is no event to wait for (README.md): retry O_NONBLOCK, backing off
  // (lib/core's README.md, "Waiting with a deadline").
  Backoff backoff;
  for (;;) {
    absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_WRONLY | O_NONBLOCK);
    if (fd.ok()) return MakeEnd<PipeWriter>(*std::move(fd), end_mode);
    if (!IsNoReader(fd.status())) return fd.status();
    if (!backoff.Wait(deadline)) return TimedOutError();
  }
}

absl::StatusOr<PipeWriter> TryOpenFifoWriter(absl::string_view path,
                                             FifoEndMode end_mode) {
  absl::StatusOr<std::string> checked = CheckedPath(path);
  if (!checked.ok()) return checked.status();
  absl::StatusOr<Fd> fd = OpenFifoEnd(*checked, O_WRONLY | O_NONBLOCK);
  if (!fd.ok()) return fd.status();
  return MakeEnd<PipeWriter>(*std::move(fd), end_mode);
}

}  // namespace ipcbox
