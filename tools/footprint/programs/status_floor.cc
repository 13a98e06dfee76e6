// A footprint program (tools/footprint): the floor under every ipcbox
// program, what returning one absl::Status costs with Debian's Abseil (its
// archives are not built with -ffunction-sections, so status.cc.o brings
// Cord, Mutex, the time-zone code and iostreams along). Not a mechanism.
#include <cstdlib>

#include "absl/status/status.h"

int main(int argc, char** argv) {
  (void)argv;
  absl::Status status =
      argc > 5 ? absl::InternalError("many arguments") : absl::OkStatus();
  return status.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
