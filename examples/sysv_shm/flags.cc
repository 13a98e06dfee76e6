#include "examples/sysv_shm/flags.h"

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/sysv_shm/sysv_shm.h"

ABSL_FLAG(std::string, path, ipcbox::examples::kSeedPath,
          "An existing file or directory whose ftok() key names the segment "
          "(the seed's PATH). Both programs must name the same one.");
ABSL_FLAG(int, proj_id, ipcbox::examples::kSeedProjectId,
          "The ftok() project id, 1..255 (the seed's PROJ_ID).");
ABSL_FLAG(uint64_t, size, ipcbox::examples::kSeedSize,
          "Segment size in bytes (the seed's SIZE).");
ABSL_FLAG(absl::Duration, interval, absl::Seconds(1),
          "Time between rounds (the seed's sleep(1)).");
ABSL_FLAG(int, rounds, ipcbox::examples::kSeedRounds,
          "Lines the server prints, letters the client writes (the seed's "
          "10).");

namespace ipcbox::examples {

absl::StatusOr<SysvShmOptions> SysvShmOptionsFromFlags() {
  SysvShmOptions options;
  options.path = absl::GetFlag(FLAGS_path);
  options.project_id = absl::GetFlag(FLAGS_proj_id);
  const uint64_t size = absl::GetFlag(FLAGS_size);
  if (size == 0 || size > SIZE_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("--size ", size, " is not a usable segment size"));
  }
  options.size = static_cast<size_t>(size);
  options.interval = absl::GetFlag(FLAGS_interval);
  options.rounds = absl::GetFlag(FLAGS_rounds);
  if (absl::Status s = ValidateSysvShmOptions(options); !s.ok()) return s;
  return options;
}

}  // namespace ipcbox::examples
