// SharedMemory between real processes, for every backend: a forked child
// that opens the object by name (its own mapping, not one inherited through
// fork) writes and the parent reads, the reverse, a hand-over of ownership,
// and a creator killed with SIGKILL whose stale object a successor purges.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/shm/shm_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr size_t kSize = 64 * 1024;
// The first bytes hold a flag; the payload follows.
constexpr size_t kPayloadOffset = 64;

static_assert(std::atomic<uint32_t>::is_always_lock_free,
              "a flag shared between processes must be lock-free");

std::atomic<uint32_t>& FlagIn(char* bytes) {
  return *reinterpret_cast<std::atomic<uint32_t>*>(bytes);
}
const std::atomic<uint32_t>& FlagIn(const char* bytes) {
  return *reinterpret_cast<const std::atomic<uint32_t>*>(bytes);
}

// Waits (bounded) until the flag holds `value`.
bool AwaitFlag(const char* bytes, uint32_t value) {
  const absl::Time give_up = absl::Now() + kChildTimeout;
  while (FlagIn(bytes).load(std::memory_order_acquire) != value) {
    if (absl::Now() > give_up) return false;
    ::usleep(100);
  }
  return true;
}

void WritePattern(char* bytes) {
  for (size_t i = kPayloadOffset; i < kSize; ++i) bytes[i] = PatternByte(i);
}

// Index of the first payload byte that is not the pattern, or kSize.
size_t FirstMismatch(const char* bytes) {
  for (size_t i = kPayloadOffset; i < kSize; ++i) {
    if (bytes[i] != PatternByte(i)) return i;
  }
  return kSize;
}

template <typename Shm>
class SharedMemoryMultiProcessTest : public ::testing::Test {};

TYPED_TEST_SUITE(SharedMemoryMultiProcessTest, ShmBackends, ShmBackendNames);

TYPED_TEST(SharedMemoryMultiProcessTest, AChildWritesAndTheParentReads) {
  ScopedName<TypeParam> name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, kSize);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    shm->Disown();  // the child's copy must not remove the parent's object
    absl::StatusOr<TypeParam> mine = TypeParam::OpenExisting(*name, kSize);
    if (!mine.ok()) return 2;
    WritePattern(mine->mutable_bytes().data());
    FlagIn(mine->mutable_bytes().data()).store(1, std::memory_order_release);
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  ASSERT_EQ(FlagIn(shm->bytes().data()).load(std::memory_order_acquire), 1u);
  EXPECT_EQ(FirstMismatch(shm->bytes().data()), kSize);
}

TYPED_TEST(SharedMemoryMultiProcessTest, TheParentWritesAndAChildReads) {
  ScopedName<TypeParam> name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, kSize);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    shm->Disown();
    absl::StatusOr<TypeParam> mine =
        TypeParam::OpenExisting(*name, kSize, MemoryAccess::kReadOnly);
    if (!mine.ok()) return 2;
    if (!AwaitFlag(mine->bytes().data(), 1)) return 3;
    return FirstMismatch(mine->bytes().data()) == kSize ? 0 : 4;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  WritePattern(shm->mutable_bytes().data());
  FlagIn(shm->mutable_bytes().data()).store(1, std::memory_order_release);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// The seed's pattern: one side writes a growing string once per step, the
// other sees each step (here with a handshake instead of sleep(1)).
TYPED_TEST(SharedMemoryMultiProcessTest, EachStepOfAGrowingStringIsSeen) {
  ScopedName<TypeParam> name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    shm->Disown();
    absl::StatusOr<TypeParam> client = TypeParam::OpenExisting(*name, 4096);
    if (!client.ok()) return 2;
    char* text = client->mutable_bytes().data() + kPayloadOffset;
    for (uint32_t step = 1; step <= 10; ++step) {
      text[step - 1] = static_cast<char>('A' + step - 1);
      text[step] = '\0';
      FlagIn(client->mutable_bytes().data())
          .store(step, std::memory_order_release);
      if (!AwaitFlag(client->bytes().data(), step + 100)) return 3;
    }
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  std::string expected;
  for (uint32_t step = 1; step <= 10; ++step) {
    ASSERT_TRUE(AwaitFlag(shm->bytes().data(), step)) << "step " << step;
    expected.push_back(static_cast<char>('A' + step - 1));
    EXPECT_EQ(std::string(shm->bytes().data() + kPayloadOffset), expected);
    FlagIn(shm->mutable_bytes().data())
        .store(step + 100, std::memory_order_release);
  }
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TYPED_TEST(SharedMemoryMultiProcessTest, AChildCreatesAndHandsOver) {
  ScopedName<TypeParam> name;
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, kSize);
    if (!shm.ok()) return 2;
    WritePattern(shm->mutable_bytes().data());
    shm->Disown();  // the parent removes it
    return shm->Close().ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  absl::StatusOr<TypeParam> shm = TypeParam::OpenExisting(*name, kSize);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(FirstMismatch(shm->bytes().data()), kSize);
  EXPECT_TRUE(shm->Remove().ok());
  EXPECT_TRUE(absl::IsNotFound(TypeParam::OpenExisting(*name, 1).status()));
}

// A creator killed with SIGKILL runs no destructor: its object stays (the
// kernel keeps both kinds until removed). A successor recovers with
// kPurgeAndCreate.
TYPED_TEST(SharedMemoryMultiProcessTest, AKilledCreatorsObjectIsPurged) {
  ScopedName<TypeParam> name;
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 4096);
    if (!shm.ok()) return 2;
    shm->mutable_bytes()[0] = 's';
    ::raise(SIGKILL);
    return 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));
  absl::StatusOr<TypeParam> stale = TypeParam::OpenExisting(*name, 4096);
  ASSERT_TRUE(stale.ok()) << stale.status();
  EXPECT_EQ(stale->bytes()[0], 's');
  ASSERT_TRUE(stale->Close().ok());
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kPurgeAndCreate;
  absl::StatusOr<TypeParam> fresh = TypeParam::Open(*name, 4096, options);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->bytes()[0], '\0');
}

// IPC_PRIVATE segments and inherited mappings: related processes share
// memory without any name.
TEST(SysvPrivateMultiProcessTest, AForkedChildSharesAPrivateSegment) {
  absl::StatusOr<sysv::SharedMemory> shm =
      sysv::SharedMemory::CreatePrivate(kSize);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    shm->Disown();
    WritePattern(shm->mutable_bytes().data());  // the inherited attachment
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_EQ(FirstMismatch(shm->bytes().data()), kSize);
}

}  // namespace
}  // namespace ipcbox::testing
