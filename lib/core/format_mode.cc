#include "ipcbox/core/format_mode.h"

#include <sys/types.h>

#include <string>

namespace ipcbox {

std::string FormatMode(mode_t mode) {
  char digits[sizeof(mode_t) * 3 + 2];
  char* p = digits + sizeof(digits);
  do {
    *--p = static_cast<char>('0' + (mode & 7));
    mode >>= 3;
  } while (mode != 0);
  if (*p != '0') *--p = '0';
  return std::string(p, digits + sizeof(digits) - p);
}

}  // namespace ipcbox
