// line_log.h
//
// `LineLog` writes log lines from inside an event loop without ever
// blocking or killing it. A loop that logs with printf to stdout stalls as
// soon as nobody drains stdout (a full pipe, a stopped pager) and dies of
// SIGPIPE when the reader goes (`server | head -n1`). A `LineLog` instead:
//   - writes a line only if the descriptor can take it now (poll with a zero
//     timeout, then one write of at most PIPE_BUF bytes, which a pipe that
//     reported room takes whole); otherwise drops the line and counts it;
//   - blocks SIGPIPE in the writing thread around the write and discards the
//     SIGPIPE a vanished reader raises (ScopedSigpipeBlock), so EPIPE is a
//     status, not a death; after EPIPE every later line is dropped;
//   - formats into a fixed buffer: no allocation.
// It does not change the descriptor's flags (O_NONBLOCK would be shared
// with every process holding the same terminal or pipe).
//
// Example (in a ConnectionHandler):
//
//   LineLog log(STDOUT_FILENO);
//   log.Printf("client %llu connected", id);
//   ...
//   if (log.dropped() > 0) { /* say so where someone will see it */ }

#ifndef IPCBOX_SOCKET_SERVER_LINE_LOG_H_
#define IPCBOX_SOCKET_SERVER_LINE_LOG_H_

#include <limits.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

class LineLog {
 public:
  // Longest line written (newline included); longer ones are cut. At most
  // PIPE_BUF, so that a pipe with room takes a line whole.
  static constexpr size_t kMaxLineBytes = PIPE_BUF < 512 ? PIPE_BUF : 512;

  // Logs to `fd`, which the caller keeps open (e.g. STDOUT_FILENO).
  explicit LineLog(int fd) : fd_(fd) {}
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  // Formats one line (a newline is added) and writes it if `fd` can take
  // it now; otherwise drops it. Returns whether it was written.
  bool Printf(const char* format, ...) ABSL_PRINTF_ATTRIBUTE(2, 3);
  // `line` as is, plus a newline.
  bool Write(absl::string_view line);

  // Lines written, and dropped (no room, the reader gone, an error).
  // Readable from any thread.
  int64_t written() const { return written_.load(std::memory_order_relaxed); }
  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // The reader went away (EPIPE): nothing more will be written.
  bool broken() const { return broken_.load(std::memory_order_relaxed); }

 private:
  bool Emit(const char* line, size_t size);
  bool Drop();

  int fd_;
  std::atomic<int64_t> written_{0};
  std::atomic<int64_t> dropped_{0};
  std::atomic<bool> broken_{false};
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SERVER_LINE_LOG_H_
