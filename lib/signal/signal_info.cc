#include "ipcbox/signal/signal_info.h"

#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "ipcbox/signal/signal_number.h"

namespace ipcbox {

std::string SignalInfo::ToString() const {
  std::string text = SignalName(signo);
  if (queued()) {
    absl::StrAppend(&text, " from pid ", sender_pid, " (uid ", sender_uid,
                    ") by sigqueue() with value ", value);
  } else if (sent_by_kill()) {
    absl::StrAppend(&text, " from pid ", sender_pid, " (uid ", sender_uid,
                    ") by kill()");
  } else if (code == SI_KERNEL) {
    absl::StrAppend(&text, " from the kernel");
  } else {
    absl::StrAppend(&text, " (si_code ", code, ")");
  }
  return text;
}

}  // namespace ipcbox
