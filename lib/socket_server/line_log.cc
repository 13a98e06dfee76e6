#include "ipcbox/socket_server/line_log.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "absl/strings/string_view.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"

namespace ipcbox {

bool LineLog::Printf(const char* format, ...) {
  if (broken()) return Drop();
  char line[kMaxLineBytes];
  va_list args;
  va_start(args, format);
  // Room is left for the newline.
  const int n = std::vsnprintf(line, sizeof(line) - 1, format, args);
  va_end(args);
  if (n < 0) return Drop();
  size_t size = std::min(static_cast<size_t>(n), sizeof(line) - 2);
  line[size++] = '\n';
  return Emit(line, size);
}

bool LineLog::Write(absl::string_view text) {
  if (broken()) return Drop();
  char line[kMaxLineBytes];
  size_t size = std::min(text.size(), sizeof(line) - 1);
  std::memcpy(line, text.data(), size);
  line[size++] = '\n';
  return Emit(line, size);
}

bool LineLog::Emit(const char* line, size_t size) {
  struct pollfd pfd = {fd_, POLLOUT, 0};
  const int ready = RetryOnEintr([&] { return ::poll(&pfd, 1, 0); });
  if (ready <= 0 || (pfd.revents & POLLOUT) == 0) {
    // Full (or POLLERR: the reader is gone, which the write would report
    // with a SIGPIPE; a later line finds out as EPIPE once there is room).
    if ((pfd.revents & (POLLERR | POLLNVAL)) != 0) {
      broken_.store(true, std::memory_order_relaxed);
    }
    return Drop();
  }
  ScopedSigpipeBlock sigpipe;
  const ssize_t n = RetryOnEintr([&] { return ::write(fd_, line, size); });
  if (n < 0) {
    if (errno == EPIPE) {
      sigpipe.DiscardRaisedSigpipe();
      broken_.store(true, std::memory_order_relaxed);
    }
    return Drop();
  }
  written_.store(written() + 1, std::memory_order_relaxed);
  return true;
}

bool LineLog::Drop() {
  dropped_.store(dropped() + 1, std::memory_order_relaxed);
  return false;
}

}  // namespace ipcbox
