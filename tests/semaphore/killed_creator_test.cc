// A process killed while it creates a named semaphore leaves nothing but,
// at most, the semaphore under its own name: never a nameless temporary.
// glibc's sem_open(O_CREAT) builds the file as "sem.XXXXXX" before linking
// it to its name, so killing a creator at random points finds that window
// within a few hundred tries; posix::NamedSemaphore must not have one.

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"

namespace ipcbox::testing {
namespace {

constexpr char kDirectory[] = "/dev/shm";
constexpr int kKills = 300;

std::vector<std::string> Entries() {
  std::vector<std::string> names;
  DIR* dir = ::opendir(kDirectory);
  if (dir == nullptr) return names;
  while (const dirent* entry = ::readdir(dir)) names.push_back(entry->d_name);
  ::closedir(dir);
  return names;
}

// The semaphore's value as the C library stores it: the first 32 bits, in
// both glibc's 64-bit and 32-bit layouts (little-endian) and musl's.
bool HoldsValue(const std::string& path, uint32_t value) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  uint32_t stored = 0;
  const bool read_all = ::pread(fd, &stored, sizeof(stored), 0) ==
                        static_cast<ssize_t>(sizeof(stored));
  ::close(fd);
  return read_all && stored == value;
}

// Creates and removes semaphores under `prefix`.N until killed.
[[noreturn]] void CreateForever(const std::string& prefix, uint32_t value) {
  SemaphoreOptions options;
  options.initial_value = value;
  for (uint64_t i = 0;; ++i) {
    auto sem =
        posix::NamedSemaphore::Create(absl::StrCat(prefix, ".", i), options);
    if (!sem.ok()) {
      std::fprintf(stderr, "%s\n", sem.status().ToString().c_str());
      _exit(3);
    }
  }
}

TEST(KilledCreatorTest, LeavesNoNamelessTemporary) {
  const std::string prefix = UniqueName("killed_creator");
  const uint32_t seed = std::random_device{}();
  std::printf("seed %u, %d kills\n", seed, kKills);
  std::mt19937 random(seed);
  // Marks this run's semaphores: the value tells its leftovers apart from
  // other processes' in the shared directory (a pid does not: every test
  // in Bazel's sandbox has the same one).
  const uint32_t value = 0x10000000u | (random() & 0x0FFFFFFFu);
  // A killed creator may leave its semaphore under its own name, as any
  // dead owner does; that is not what this test is about, but it must go.
  const std::string own = absl::StrCat("sem.", prefix.substr(1), ".");
  const absl::Cleanup remove_own = [&own] {
    for (const std::string& entry : Entries()) {
      if (absl::StartsWith(entry, own)) {
        ::unlink(absl::StrCat(kDirectory, "/", entry).c_str());
      }
    }
  };
  std::uniform_int_distribution<int> delay_us(0, 3000);

  for (int kill = 0; kill < kKills; ++kill) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) CreateForever(absl::StrCat(prefix, ".", kill), value);
    absl::SleepFor(absl::Microseconds(delay_us(random)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the creator failed before it was killed (exit "
        << WEXITSTATUS(status) << ")";
  }

  int nameless = 0;
  for (const std::string& entry : Entries()) {
    const std::string path = absl::StrCat(kDirectory, "/", entry);
    if (!absl::StartsWith(entry, own) && absl::StartsWith(entry, "sem.") &&
        HoldsValue(path, value)) {
      ADD_FAILURE() << "a killed creator left " << path;
      ++nameless;
      ::unlink(path.c_str());
    }
  }
  EXPECT_EQ(nameless, 0) << "of " << kKills << " kills (seed " << seed << ")";
}

}  // namespace
}  // namespace ipcbox::testing
