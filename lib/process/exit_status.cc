#include "ipcbox/process/exit_status.h"

#include <sys/wait.h>

#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {

ExitStatus ExitStatus::FromWaitStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return ExitStatus(true, WTERMSIG(wait_status), WCOREDUMP(wait_status));
  }
  return ExitStatus(false, WEXITSTATUS(wait_status), false);
}

ExitStatus ExitStatus::Exited(int code) {
  return ExitStatus(false, code & 0xff, false);
}

ExitStatus ExitStatus::KilledBy(int signo, bool core_dumped) {
  return ExitStatus(true, signo, core_dumped);
}

std::string ExitStatus::ToString() const {
  if (!signaled_) return absl::StrCat("exited with code ", value_);
  return absl::StrCat("killed by ", SignalName(value_), " (signal ", value_,
                      ")", core_dumped_ ? ", core dumped" : "");
}

std::ostream& operator<<(std::ostream& os, const ExitStatus& status) {
  return os << status.ToString();
}

}  // namespace ipcbox
