#include "tools/ipcbox/ipcbox_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace ipcbox::tool {

bool ParseIpcboxName(absl::string_view name, pid_t* creator) {
  size_t slash = name.rfind('/');
  if (slash != absl::string_view::npos) name.remove_prefix(slash + 1);
  size_t last_dot = name.rfind('.');
  if (last_dot == absl::string_view::npos) return false;
  absl::string_view random = name.substr(last_dot + 1);
  if (random.size() != 16) return false;
  for (char c : random) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  absl::string_view rest = name.substr(0, last_dot);
  size_t pid_dot = rest.rfind('.');
  if (pid_dot == absl::string_view::npos || pid_dot == 0) return false;
  absl::string_view digits = rest.substr(pid_dot + 1);
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  int pid = 0;
  if (digits.empty() || !absl::SimpleAtoi(digits, &pid) || pid <= 0) {
    return false;
  }
  *creator = pid;
  return true;
}

}  // namespace ipcbox::tool
