// posix::UnnamedSemaphore placed in caller-provided shared memory, and the
// checks on that memory.

#include <semaphore.h>

#include <atomic>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using posix::UnnamedSemaphore;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr absl::Duration kLongWait = absl::Seconds(30);

TEST(PosixUnnamedSemaphoreTest, RejectsNullStorage) {
  EXPECT_EQ(
      UnnamedSemaphore::CreateIn(nullptr, sizeof(sem_t), 0).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnnamedSemaphore::AttachTo(nullptr, sizeof(sem_t)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PosixUnnamedSemaphoreTest, RejectsMisalignedStorage) {
  alignas(sem_t) unsigned char buffer[2 * sizeof(sem_t)];
  absl::StatusOr<UnnamedSemaphore*> semaphore =
      UnnamedSemaphore::CreateIn(buffer + 1, sizeof(sem_t), 0);
  EXPECT_EQ(semaphore.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      UnnamedSemaphore::AttachTo(buffer + 1, sizeof(sem_t)).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(PosixUnnamedSemaphoreTest, RejectsStorageTooSmall) {
  UnnamedSemaphore::Storage storage;
  EXPECT_EQ(UnnamedSemaphore::CreateIn(&storage, sizeof(storage) - 1, 0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PosixUnnamedSemaphoreTest, RejectsInitialValueAboveSemValueMax) {
  UnnamedSemaphore::Storage storage;
  EXPECT_EQ(UnnamedSemaphore::CreateIn(&storage, sizeof(storage),
                                       kMaxPosixSemaphoreValue + 1)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// The layout a user would put in shared memory: two semaphores next to the
// data they guard. A producer child fills slots; the parent consumes them.
struct Ring {
  UnnamedSemaphore::Storage free_slots;
  UnnamedSemaphore::Storage full_slots;
  int slots[4];
};

TEST(PosixUnnamedSemaphoreTest, ProducerAndConsumerInOneSharedRegion) {
  constexpr int kItems = 1000;
  SharedBlock<Ring> ring;
  absl::StatusOr<UnnamedSemaphore*> free_slots = UnnamedSemaphore::CreateIn(
      &ring->free_slots, sizeof(ring->free_slots), 4);
  ASSERT_TRUE(free_slots.ok()) << free_slots.status();
  absl::StatusOr<UnnamedSemaphore*> full_slots = UnnamedSemaphore::CreateIn(
      &ring->full_slots, sizeof(ring->full_slots), 0);
  ASSERT_TRUE(full_slots.ok()) << full_slots.status();

  absl::StatusOr<ChildProcess> producer = ForkChild([&] {
    // What a process that only maps the region does.
    absl::StatusOr<UnnamedSemaphore*> space =
        UnnamedSemaphore::AttachTo(&ring->free_slots, sizeof(ring->free_slots));
    absl::StatusOr<UnnamedSemaphore*> items =
        UnnamedSemaphore::AttachTo(&ring->full_slots, sizeof(ring->full_slots));
    if (!space.ok() || !items.ok()) return 1;
    for (int i = 0; i < kItems; ++i) {
      if (!(*space)->WaitFor(kLongWait).ok()) return 2;
      ring->slots[i % 4] = i;
      if (!(*items)->Post().ok()) return 3;
    }
    return 0;
  });
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < kItems; ++i) {
    ASSERT_TRUE((*full_slots)->WaitFor(kLongWait).ok()) << i;
    ASSERT_EQ(ring->slots[i % 4], i);
    ASSERT_TRUE((*free_slots)->Post().ok());
  }
  EXPECT_TRUE(ExitedWith(producer->Wait(kChildTimeout), 0));
  EXPECT_EQ((*free_slots)->Value().value_or(-1), 4);
  EXPECT_TRUE((*free_slots)->Destroy().ok());
  EXPECT_TRUE((*full_slots)->Destroy().ok());
}

}  // namespace
}  // namespace ipcbox::testing
