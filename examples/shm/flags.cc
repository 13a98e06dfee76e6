#include "examples/shm/flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "examples/common/octal_mode.h"
#include "examples/shm/shmem.h"

ABSL_FLAG(std::string, backing_file,
          std::string(ipcbox::examples::kBackingFile),
          "The POSIX shared memory object (the seed's BackingFile); a "
          "leading '/' is added if missing, as glibc does.");
ABSL_FLAG(int, byte_size, static_cast<int>(ipcbox::examples::kByteSize),
          "Bytes of shared memory (the seed's ByteSize).");
ABSL_FLAG(std::string, access_perms, "0644",
          "Octal permissions of what is created (the seed's AccessPerms).");
ABSL_FLAG(std::string, semaphore_name,
          std::string(ipcbox::examples::kSemaphoreName),
          "The named semaphore (the seed's SemaphoreName); \"mysemaphore\" "
          "and \"/mysemaphore\" are the same semaphore.");

namespace ipcbox::examples {

absl::StatusOr<ShmemOptions> ShmemOptionsFromFlags() {
  ShmemOptions options;
  options.backing_file = absl::GetFlag(FLAGS_backing_file);
  options.semaphore_name = absl::GetFlag(FLAGS_semaphore_name);
  const int byte_size = absl::GetFlag(FLAGS_byte_size);
  if (byte_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--byte_size=", byte_size, " must be at least 1"));
  }
  options.byte_size = static_cast<size_t>(byte_size);
  absl::StatusOr<mode_t> perms =
      ParseOctalMode(absl::GetFlag(FLAGS_access_perms));
  if (!perms.ok()) return perms.status();
  options.access_perms = *perms;
  return options;
}

}  // namespace ipcbox::examples
