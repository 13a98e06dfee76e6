// A peer that can write a shared memory object can also ftruncate() it to
// nothing; the next access through our mapping is SIGBUS. The guarded
// accessors turn that into a status; everything else still dies as before.
// Each case runs in a forked child, so that a SIGBUS fails the test instead
// of killing the test binary.

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/shm/bounded_read.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "ipcbox/shm/sigbus_guard.h"
#include "tests/shm/posix_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr size_t kSize = 8192;

// What the hostile peer does: open the object by name and cut it to zero.
bool TruncateByName(const PosixName& name) {
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) return false;
  const bool ok = ::ftruncate(fd, 0) == 0;
  ::close(fd);
  return ok;
}

TEST(ShrinkTest, AGuardedCopyOfAShrunkObjectIsAStatusNotADeath) {
  ScopedShmName name("shm_shrink");
  absl::StatusOr<posix::SharedMemory> memory =
      posix::SharedMemory::Create(*name, kSize);
  ASSERT_TRUE(memory.ok()) << memory.status();
  std::memcpy(memory->mutable_bytes().data(), "hello", 6);
  absl::StatusOr<ChildProcess> reader = ForkChild([&] {
    char out[64];
    absl::StatusOr<size_t> before =
        CopyCStringGuarded(memory->bytes(), absl::MakeSpan(out), "test");
    if (!before.ok() || *before != 5) return 2;
    if (!TruncateByName(*name)) return 3;
    absl::StatusOr<size_t> after =
        CopyCStringGuarded(memory->bytes(), absl::MakeSpan(out), "shmtest");
    if (after.ok()) return 4;
    if (after.status().code() != absl::StatusCode::kDataLoss) return 5;
    if (after.status().message().find("shmtest") == absl::string_view::npos) {
      return 6;
    }
    // The guard still works after it caught a fault.
    absl::Status again = GuardAgainstShrinking("again", [&] {
      (void)*static_cast<volatile const char*>(memory->bytes().data());
    });
    return absl::IsDataLoss(again) ? 0 : 7;
  });
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE(ExitedWith(reader->Wait(kChildTimeout), 0))
      << "a reader of a shrunk object must get a status, not SIGBUS";
}

TEST(ShrinkTest, AnUnguardedAccessStillDiesOfSigbus) {
  ScopedShmName name("shm_shrink_unguarded");
  absl::StatusOr<posix::SharedMemory> memory =
      posix::SharedMemory::Create(*name, kSize);
  ASSERT_TRUE(memory.ok()) << memory.status();
  absl::StatusOr<ChildProcess> reader = ForkChild([&] {
    char out[64];
    (void)CopyCStringGuarded(memory->bytes(), absl::MakeSpan(out), "warm up");
    if (!TruncateByName(*name)) return 3;
    return static_cast<int>(
        *static_cast<volatile const char*>(memory->bytes().data()));
  });
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE(KilledBy(reader->Wait(kChildTimeout), SIGBUS));
}

}  // namespace
}  // namespace ipcbox::testing
