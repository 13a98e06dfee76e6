#include "examples/shm/shmem.h"

#include <limits.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"

namespace ipcbox::examples {

absl::StatusOr<PosixName> SeedName(absl::string_view name, size_t max_length) {
  if (!name.empty() && name.front() == '/') {
    return PosixName::Create(name, max_length);
  }
  return PosixName::Create(absl::StrCat("/", name), max_length);
}

int SeedFail(std::FILE* err, const char* what, const absl::Status& status) {
  std::fprintf(err, "%s: %s\n", what, std::string(status.message()).c_str());
  std::fflush(err);
  return kSeedFailureExit;
}

std::optional<SeedObjects> ResolveSeedObjects(const ShmemOptions& shmem,
                                              std::FILE* err,
                                              const char* backing_what,
                                              const char* perms_what,
                                              int* exit_code) {
  absl::StatusOr<PosixName> backing_file =
      SeedName(shmem.backing_file, NAME_MAX);
  if (!backing_file.ok()) {
    *exit_code = SeedFail(err, backing_what, backing_file.status());
    return std::nullopt;
  }
  absl::StatusOr<PosixName> semaphore_name =
      SeedName(shmem.semaphore_name, kMaxSemaphoreNameLength);
  if (!semaphore_name.ok()) {
    *exit_code = SeedFail(err, "sem_open", semaphore_name.status());
    return std::nullopt;
  }
  absl::StatusOr<Permissions> perms = Permissions::FromMode(shmem.access_perms);
  if (!perms.ok()) {
    *exit_code = SeedFail(err, perms_what, perms.status());
    return std::nullopt;
  }
  return SeedObjects{*std::move(backing_file), *std::move(semaphore_name),
                     *perms};
}

}  // namespace ipcbox::examples
