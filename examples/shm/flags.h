// flags.h
//
// The flags memwriter and memreader share: the values of the seed's
// shmem.h, each defaulting to the seed's.
//
//   --backing_file=/shMemEx  --byte_size=512  --access_perms=0644
//   --semaphore_name=mysemaphore
//
// Each binary links this once; `ShmemOptionsFromFlags()` reads them.
//
// Example (a main()):
//
//   absl::ParseCommandLine(argc, argv);
//   absl::StatusOr<ShmemOptions> shmem = ShmemOptionsFromFlags();
//   if (!shmem.ok()) return 2;  // a size below 1, or a mode not in octal

#ifndef IPCBOX_EXAMPLES_SHM_FLAGS_H_
#define IPCBOX_EXAMPLES_SHM_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "examples/shm/shmem.h"

ABSL_DECLARE_FLAG(std::string, backing_file);
ABSL_DECLARE_FLAG(int, byte_size);
ABSL_DECLARE_FLAG(std::string, access_perms);
ABSL_DECLARE_FLAG(std::string, semaphore_name);

namespace ipcbox::examples {

// kInvalidArgument for a size below 1 or a mode that is not octal.
absl::StatusOr<ShmemOptions> ShmemOptionsFromFlags();

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_FLAGS_H_
