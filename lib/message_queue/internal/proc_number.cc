#include "ipcbox/message_queue/internal/proc_number.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox::message_queue_internal {

absl::StatusOr<uint64_t> ReadProcNumber(const char* path) {
  Fd fd(RetryOnEintr([&] { return ::open(path, O_RDONLY | O_CLOEXEC); }));
  if (!fd.valid()) {
    const int err = errno;
    return ErrnoError(err, "open", path);
  }
  // A tunable is at most 20 digits and a newline; more means the wrong file.
  char text[32];
  const ssize_t n =
      RetryOnEintr([&] { return ::read(fd.get(), text, sizeof(text)); });
  if (n < 0) {
    const int err = errno;
    return ErrnoError(err, "read", path);
  }
  uint64_t value = 0;
  const absl::string_view digits =
      absl::StripAsciiWhitespace(absl::string_view(text, n));
  if (static_cast<size_t>(n) == sizeof(text) ||
      !absl::SimpleAtoi(digits, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " does not hold a single unsigned number"));
  }
  return value;
}

}  // namespace ipcbox::message_queue_internal
