// The crash suite on memwriter and memreader (examples/shm): a reader
// whose writer is killed prints the whole text or fails with the seed's
// message, and a killed writer's memory and semaphore go with its restart.

#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/shm/memreader.h"
#include "examples/shm/memwriter.h"
#include "examples/shm/shmem.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"
#include "tests/crash/kill_points.h"

namespace ipcbox::testing {
namespace {

examples::ShmemOptions ShmNames(const Place& place) {
  examples::ShmemOptions shmem;
  shmem.backing_file = absl::StrCat("/", place.token, "m");
  shmem.semaphore_name = absl::StrCat(place.token, "s");
  return shmem;
}

int Memwriter(const examples::ShmemOptions& shmem, absl::Duration linger,
              std::FILE* err) {
  examples::MemwriterOptions options;
  options.shmem = shmem;
  options.linger = linger;
  return examples::RunMemwriter(options, err);
}

Instance Shm(const Place& place, CrashTrial::Which peer) {
  const examples::ShmemOptions shmem = ShmNames(place);
  Instance in;
  // The writer removes the semaphore's name after its linger; a reader
  // that opens it later makes a new one (O_CREAT, as the seed does) that
  // nobody posts. So the linger grows with the reader's own patience: 200 ms
  // was too short for a reader under loaded qemu-arm.
  in.trial.first = [shmem](std::FILE*, std::FILE* err) {
    return Memwriter(shmem, PeerTimeout() / 2, err);
  };
  in.trial.second = [shmem](std::FILE* out, std::FILE* err) {
    // Started after the writer, as the article says: wait for its
    // semaphore, which it makes once the memory is sized (bounded; a writer
    // killed first makes none, and the reader then fails to open it).
    const std::string file = "/dev/shm/sem." + shmem.semaphore_name;
    const absl::Time give_up = absl::Now() + PeerTimeout();
    struct stat st;
    while (::stat(file.c_str(), &st) != 0 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    examples::MemreaderOptions options;
    options.shmem = shmem;
    options.timeout = PeerTimeout();
    return examples::RunMemreader(options, out, err);
  };
  in.trial.peer = peer;
  if (peer == CrashTrial::kFirst) {
    in.restart = [shmem] {
      EXPECT_EQ(RunQuietly([&](std::FILE*, std::FILE* err) {
                  return Memwriter(shmem, absl::ZeroDuration(), err);
                }),
                0)
          << "the restarted memwriter failed";
    };
  }
  return in;
}

TEST(CrashTest, MemwriterKilled) {
  RunKillPoints("memwriter killed, memreader survives",
                [](const Place& p) { return Shm(p, CrashTrial::kFirst); });
}

TEST(CrashTest, MemreaderKilled) {
  RunKillPoints("memreader killed, memwriter survives",
                [](const Place& p) { return Shm(p, CrashTrial::kSecond); });
}

}  // namespace
}  // namespace ipcbox::testing
