// sysv_shm_server: makes the System V segment and prints what a client
// writes into it, once a second, then removes it. See sysv_shm.h.
//
//   $ sysv_shm_server --path=/tmp &
//   $ sysv_shm_client --path=/tmp

#include <cstdio>
#include <string>

#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "examples/common/program_flags.h"
#include "examples/sysv_shm/flags.h"
#include "examples/sysv_shm/sysv_shm.h"

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "sysv_shm_server [flags]: writes data into System V shared memory for "
      "sysv_shm_client.");
  absl::StatusOr<ipcbox::examples::SysvShmOptions> options =
      ipcbox::examples::SysvShmOptionsFromFlags();
  if (!options.ok()) {
    std::fprintf(stderr, "sysv_shm_server: %s\n",
                 std::string(options.status().message()).c_str());
    return 2;
  }
  return ipcbox::examples::RunSysvShmServer(*options, stdout, stderr);
}
