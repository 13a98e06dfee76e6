// flags.h
//
// The command-line flags of sysv_shm_server and sysv_shm_client, one per
// value of the seed's common.h and loop, with the seed's values as defaults
// so that either program pairs with the seed's C server or client.
//
//   $ sysv_shm_server --path=/tmp/shm-rendezvous --interval=200ms
//
// Example (a main()):
//
//   absl::ParseCommandLine(argc, argv);
//   absl::StatusOr<SysvShmOptions> options = SysvShmOptionsFromFlags();
//   if (!options.ok()) return 2;  // the message says which flag is wrong
//   return RunSysvShmServer(*options, stdout, stderr);

#ifndef IPCBOX_EXAMPLES_SYSV_SHM_FLAGS_H_
#define IPCBOX_EXAMPLES_SYSV_SHM_FLAGS_H_

#include "absl/status/statusor.h"
#include "examples/sysv_shm/sysv_shm.h"

namespace ipcbox::examples {

// The options the flags describe, checked.
absl::StatusOr<SysvShmOptions> SysvShmOptionsFromFlags();

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SYSV_SHM_FLAGS_H_
