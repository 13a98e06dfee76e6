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

absl::StatusOr<PosixName> SeedName(absl::string_view name, size_t max_length) {
  if (!name.empty() && name.front() == '/') {
    return PosixName::Create(name, max_length);
  }
  return PosixName::Create(absl::StrCat("/", name), max_length);
}

}  // namespace ipcbox::examples
