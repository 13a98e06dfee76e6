// Helpers shared by the process tests.

#ifndef IPCBOX_TESTS_PROCESS_PROCESS_TEST_UTIL_H_
#define IPCBOX_TESTS_PROCESS_PROCESS_TEST_UTIL_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/process/internal/process_group.h"

namespace ipcbox::testing {

// Everything `reader` delivers until end-of-file, or until the deadline (a
// hung child fails the test instead of hanging it).
inline std::string ReadToEnd(PipeReader& reader,
                             absl::Duration timeout = absl::Seconds(30)) {
  const Deadline deadline = Deadline::After(timeout);
  std::string text;
  char buffer[4096];
  for (;;) {
    absl::StatusOr<size_t> n =
        reader.ReadUntil(absl::MakeSpan(buffer), deadline);
    if (!n.ok()) {
      if (!IsEndOfStream(n.status())) text += "<" + n.status().ToString() + ">";
      return text;
    }
    text.append(buffer, *n);
  }
}

// True if this process has no child at all, reaped or not: nothing leaked.
inline bool NoChildrenLeft() {
  return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD;
}

// The state letter of `pid` in /proc ('R', 'S', 'Z', ...), or nullopt if
// the process no longer exists.
inline std::optional<char> ProcessState(pid_t pid) {
  char state = 0;
  pid_t pgid = 0;
  if (!process_internal::ReadProcessState(-1, pid, &state, &pgid)) {
    return std::nullopt;
  }
  return state;
}

// Waits (bounded) until `pid` is gone from /proc, i.e. ended AND reaped.
inline bool GoneWithin(pid_t pid, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (ProcessState(pid).has_value()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// Waits (bounded) until our child `pid` has ended, without reaping it.
inline bool EndedWithin(pid_t pid, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    siginfo_t info = {};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info,
                 WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      return true;
    }
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
}

// Removes a file when it goes out of scope, so a failing test leaves none.
class ScopedUnlink {
 public:
  explicit ScopedUnlink(std::string path) : path_(std::move(path)) {}
  ~ScopedUnlink() { ::unlink(path_.c_str()); }
  ScopedUnlink(const ScopedUnlink&) = delete;
  ScopedUnlink& operator=(const ScopedUnlink&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_PROCESS_PROCESS_TEST_UTIL_H_
