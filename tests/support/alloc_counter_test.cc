#include "tests/support/alloc_counter.h"

#include <malloc.h>
#include <sched.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/support/escape.h"

namespace ipcbox::testing {
namespace {

using Threads = AllocationCounter::Threads;

// Each injector performs exactly one heap allocation and releases it. They are
// free functions because EXPECT_NONFATAL_FAILURE's statement cannot use locals.
void OneNew() {
  int* p = new int(7);
  Escape(p);
  delete p;
}

void OneNewArray() {
  char* p = new char[100];
  Escape(p);
  delete[] p;
}

void OneNothrowNew() {
  int* p = new (std::nothrow) int(7);
  Escape(p);
  delete p;
}

void OneAlignedNew() {
  struct alignas(64) CacheLine {
    char bytes[64];
  };
  CacheLine* p = new CacheLine();
  Escape(p);
  delete p;
}

void OneMalloc() {
  void* p = malloc(24);
  Escape(p);
  free(p);
}

void OneCalloc() {
  void* p = calloc(3, 8);
  Escape(p);
  free(p);
}

void OneAlignedAlloc() {
  void* p = aligned_alloc(64, 128);
  Escape(p);
  free(p);
}

void OnePosixMemalign() {
  void* p = nullptr;
  ASSERT_EQ(posix_memalign(&p, 64, 128), 0);
  Escape(p);
  free(p);
}

void OneStringGrowth() {
  std::string s = "short";  // Fits the small-string buffer: no allocation.
  s.append(64, 'x');        // Does not: exactly one.
  Escape(s.data());
}

int64_t AllocationsMadeBy(void (*inject)()) {
  AllocationCounter counter;
  inject();
  counter.Stop();
  return counter.count();
}

TEST(AllocationCounterTest, LoopWithoutAllocationCountsZero) {
  volatile int64_t sum = 0;
  AllocationCounter counter;
  for (int i = 0; i < 100000; ++i) sum = sum + i;
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(counter.bytes(), 0);
}

TEST(AllocationCounterTest, ReportsItsMethod) {
  ::testing::Test::RecordProperty("method", AllocationCounter::Method());
  EXPECT_NE(std::string(AllocationCounter::Method()), "");
}

// The proof that the counter can fail: each kind of allocation is seen once.
TEST(AllocationCounterTest, SeesOneNew) {
  EXPECT_EQ(AllocationsMadeBy(OneNew), 1);
}

TEST(AllocationCounterTest, SeesOneNewArray) {
  EXPECT_EQ(AllocationsMadeBy(OneNewArray), 1);
}

TEST(AllocationCounterTest, SeesOneNothrowNew) {
  EXPECT_EQ(AllocationsMadeBy(OneNothrowNew), 1);
}

TEST(AllocationCounterTest, SeesOneAlignedNew) {
  EXPECT_EQ(AllocationsMadeBy(OneAlignedNew), 1);
}

TEST(AllocationCounterTest, SeesOneMalloc) {
  EXPECT_EQ(AllocationsMadeBy(OneMalloc), 1);
}

TEST(AllocationCounterTest, InjectTwoAllocationsMakesExactlyTwo) {
  EXPECT_EQ(AllocationsMadeBy(InjectTwoAllocations), 2);
}

TEST(AllocationCounterTest, SeesOneCalloc) {
  EXPECT_EQ(AllocationsMadeBy(OneCalloc), 1);
}

TEST(AllocationCounterTest, SeesOneAlignedAlloc) {
  EXPECT_EQ(AllocationsMadeBy(OneAlignedAlloc), 1);
}

TEST(AllocationCounterTest, SeesOnePosixMemalign) {
  EXPECT_EQ(AllocationsMadeBy(OnePosixMemalign), 1);
}

TEST(AllocationCounterTest, SeesOneStringGrowth) {
  EXPECT_EQ(AllocationsMadeBy(OneStringGrowth), 1);
}

TEST(AllocationCounterTest, SeesReallocThatGrows) {
  void* p = malloc(8);
  ASSERT_NE(p, nullptr);
  AllocationCounter counter;
  p = realloc(p, 1 << 16);
  Escape(p);
  counter.Stop();
  free(p);
  EXPECT_EQ(counter.count(), 1);
}

TEST(AllocationCounterTest, CountsRequestedBytes) {
  AllocationCounter counter;
  OneMalloc();  // 24 bytes
  OneCalloc();  // 3 * 8 bytes
  counter.Stop();
  EXPECT_EQ(counter.count(), 2);
  EXPECT_EQ(counter.bytes(), 48);
}

TEST(AllocationCounterTest, StopFreezesTheCount) {
  AllocationCounter counter;
  OneMalloc();
  counter.Stop();
  OneMalloc();
  EXPECT_EQ(counter.count(), 1);
}

TEST(AllocationCounterTest, NothingIsCountedOutsideAScope) {
  { AllocationCounter before; }
  OneMalloc();
  AllocationCounter after;
  EXPECT_EQ(after.count(), 0);
}

TEST(AllocationCounterTest, NestedCountersEachSeeTheirOwnWindow) {
  AllocationCounter outer;
  OneNew();
  {
    AllocationCounter inner;
    OneMalloc();
    EXPECT_EQ(inner.count(), 1);
  }
  OneNew();
  EXPECT_EQ(outer.count(), 3);
}

TEST(AllocationCounterTest, ThisThreadCounterIgnoresOtherThreads) {
  // The thread starts (which allocates: its state, its lazily set-up TLS)
  // and says so before either counter exists; it then allocates exactly once
  // while both count.
  std::atomic<int> step{0};
  std::thread other([&] {
    step.store(1);
    while (step.load() != 2) sched_yield();
    OneMalloc();
    step.store(3);
  });
  while (step.load() != 1) sched_yield();
  AllocationCounter mine(Threads::kThisThread);
  AllocationCounter all(Threads::kAll);
  step.store(2);
  while (step.load() != 3) sched_yield();
  mine.Stop();
  all.Stop();
  other.join();
  EXPECT_EQ(mine.count(), 0);
  EXPECT_EQ(all.count(), 1);
}

TEST(AllocationCounterTest, ExpectNoAllocationsPassesWithoutAllocation) {
  volatile int x = 0;
  EXPECT_NO_ALLOCATIONS(x = x + 1);
  ASSERT_NO_ALLOCATIONS(x = x + 1);
}

TEST(AllocationCounterTest, ExpectNoAllocationsFailsOnNew) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(OneNew()),
                          "`OneNew()` made 1 heap allocation(s)");
}

TEST(AllocationCounterTest, ExpectNoAllocationsFailsOnMalloc) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ALLOCATIONS(OneMalloc()),
                          "made 1 heap allocation(s), 24 bytes requested");
}

TEST(AllocationCounterTest, AssertNoAllocationsFailsFatally) {
  EXPECT_FATAL_FAILURE(ASSERT_NO_ALLOCATIONS(OneStringGrowth()),
                       "`OneStringGrowth()` made 1 heap allocation(s)");
}

}  // namespace
}  // namespace ipcbox::testing
