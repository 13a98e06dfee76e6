#include "examples/shm/shmem.h"

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/quote.h"

namespace ipcbox::examples {

absl::StatusOr<PosixName> SeedName(absl::string_view name,
                                   size_t max_length) {
  if (!name.empty() && name.front() == '/') {
    return PosixName::Create(name, max_length);
  }
  return PosixName::Create(absl::StrCat("/", name), max_length);
}

absl::StatusOr<mode_t> ParseOctalMode(absl::string_view text) {
  mode_t mode = 0;
  for (const char c : text) {
    if (c < '0' || c > '7' || mode > 0777) {
      mode = 01000;  // Not a mode: reported below.
      break;
    }
    mode = mode * 8 + static_cast<mode_t>(c - '0');
  }
  if (text.empty() || mode > 0777) {
    return absl::InvalidArgumentError(
        absl::StrCat("access permissions ", QuoteForMessage(text),
                     " are not an octal mode from 0 to 0777"));
  }
  return mode;
}

}  // namespace ipcbox::examples
