// sysv_shm_client: attaches the server's System V segment and writes "A",
// "AB", "ABC", ... into it, once a second. See sysv_shm.h.

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
      "sysv_shm_client [flags]: reads sysv_shm_server's data from System V "
      "shared memory.");
  absl::StatusOr<ipcbox::examples::SysvShmOptions> options =
      ipcbox::examples::SysvShmOptionsFromFlags();
  if (!options.ok()) {
    std::fprintf(stderr, "sysv_shm_client: %s\n",
                 std::string(options.status().message()).c_str());
    return 2;
  }
  return ipcbox::examples::RunSysvShmClient(*options, stderr);
}
