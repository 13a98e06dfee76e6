// shmem.h
//
// The values of the seed's header shmem.h, shared by memwriter and memreader
// ("Example 3" and "Example 4" of the article on shared storage), and what
// both programs need to turn their flags into ipcbox names.
//
//   #define ByteSize 512
//   #define BackingFile "/shMemEx"
//   #define AccessPerms 0644
//   #define SemaphoreName "mysemaphore"
//   #define MemContents "This is the way the world ends...\n"
//
// The article prints only the values; the programs' flags default to them so
// that ipcbox's memwriter and memreader meet the C ones.
//
// Example (the seed's semaphore name, which lacks the leading slash):
//
//   absl::StatusOr<PosixName> name =
//       SeedName(ShmemOptions().semaphore_name, kMaxSemaphoreNameLength);
//   // "/mysemaphore", the C programs' /dev/shm/sem.mysemaphore

#ifndef IPCBOX_EXAMPLES_SHM_SHMEM_H_
#define IPCBOX_EXAMPLES_SHM_SHMEM_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/permissions.h"

namespace ipcbox::examples {

inline constexpr size_t kByteSize = 512;
inline constexpr absl::string_view kBackingFile = "/shMemEx";
inline constexpr mode_t kAccessPerms = 0644;
inline constexpr absl::string_view kSemaphoreName = "mysemaphore";
inline constexpr absl::string_view kMemContents =
    "This is the way the world ends...\n";
// How long the seed's memwriter waits for the reader: sleep(12).
inline constexpr int kWriterSleepSeconds = 12;

// The seed's report_and_exit() calls exit(-1): the shell sees 255.
inline constexpr int kSeedFailureExit = 255;

// What both programs agree on.
struct ShmemOptions {
  std::string backing_file = std::string(kBackingFile);
  size_t byte_size = kByteSize;
  mode_t access_perms = kAccessPerms;
  std::string semaphore_name = std::string(kSemaphoreName);
};

// `name` as a POSIX IPC name. glibc's shm_open and sem_open drop leading
// slashes, so the C programs' "mysemaphore" and ipcbox's "/mysemaphore" are
// one semaphore (/dev/shm/sem.mysemaphore); ipcbox requires the slash, and
// this adds it when missing. `max_length` as for `PosixName::Create()`.
absl::StatusOr<PosixName> SeedName(absl::string_view name, size_t max_length);

// The seed's report_and_exit(): perror(what), exit(-1). Prints "what:
// message" on `err` and returns kSeedFailureExit for main() to exit with.
int SeedFail(std::FILE* err, const char* what, const absl::Status& status);

// The names and mode both programs derive from `ShmemOptions`.
struct SeedObjects {
  PosixName backing_file;
  PosixName semaphore_name;
  Permissions permissions;
};

// Checks `shmem`'s names and mode. On failure, reports it as the seed's
// failing call would (`backing_what` for the backing file, `perms_what` for
// the mode, "sem_open" for the semaphore's name) and sets `*exit_code`.
std::optional<SeedObjects> ResolveSeedObjects(const ShmemOptions& shmem,
                                              std::FILE* err,
                                              const char* backing_what,
                                              const char* perms_what,
                                              int* exit_code);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_SHMEM_H_
